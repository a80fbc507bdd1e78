"""Python是动态语言 / Python is a dynamic language — see README.md."""
import types  # noqa: F401  (for types.MethodType)


class AI:
    """Given: do not change."""

    def __init__(self, hp):
        self.hp = hp


def add_class_attribute(cls, name, value):
    """Add a class attribute called `name` (a string) with `value` to the class cls; return None."""
    raise NotImplementedError("TODO: add_class_attribute")


def move(self):
    """The instance method to bind: return f"move, hp={self.hp}"."""
    raise NotImplementedError("TODO: move")


def add_move(obj):
    """Bind move to this one instance with types.MethodType, as obj.move; return None."""
    raise NotImplementedError("TODO: add_move")


@classmethod
def attack(cls):
    """Class method: return cls.__name__ + " attack" (e.g. "AI attack")."""
    raise NotImplementedError("TODO: attack")


@staticmethod
def dead():
    """Static method: return "dead"."""
    raise NotImplementedError("TODO: dead")


def add_class_methods(cls):
    """Add attack (class method) and dead (static method) to the class cls; return None."""
    raise NotImplementedError("TODO: add_class_methods")


class SlotAI:
    """Instances accept only the attributes hp and mp (use __slots__)."""

    def __init__(self):
        raise NotImplementedError("TODO: SlotAI: delete this __init__ and write __slots__ = ('hp', 'mp')")


def remove_move(obj):
    """Delete the move added to obj by add_move (del or delattr); return None."""
    raise NotImplementedError("TODO: remove_move")
