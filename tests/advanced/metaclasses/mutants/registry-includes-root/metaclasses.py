"""元类 / Metaclasses — reference solution."""


def make_ai():
    """AI = type("AI", (), {"hp": 100})"""
    return type("AI", (), {"hp": 100})


def speak(self):
    print("Welcome")


@staticmethod
def attack():
    print("Attack")


@classmethod
def dead(cls):
    print("Dead")


def make_npc(ai):
    """NPC = type("NPC", (ai,), {...}): inherits from ai, adds canMove and three kinds of method."""
    return type("NPC", (ai,), {"canMove": False, "speak": speak, "attack": attack, "dead": dead})


def renameattribute(classname, parentclass, attributedic):
    """A metaclass written as a function: every name not starting with "__" gets the
    lower-cased class name in front ("isalive" in class AI becomes "aiisalive")."""
    newattribute = {}
    for key, value in attributedic.items():
        if not key.startswith("__"):
            key = classname.lower() + key
        newattribute[key] = value  # dunder names (__init__, __doc__, __module__...) kept as they are
    return type(classname, parentclass, newattribute)


class RegistryMeta(type):
    """A class-based metaclass: records in RegistryMeta.registry (name -> class) every class
    it creates that has a base class made by RegistryMeta; the root itself is not recorded."""

    registry = {}

    def __new__(mcs, name, bases, attrs):
        cls = super().__new__(mcs, name, bases, attrs)
        mcs.registry[name] = cls
        return cls


if __name__ == "__main__":
    # The notes' example.
    class AI(object, metaclass=renameattribute):  # noqa: UP004  (as in the notes)
        isalive = False

    ai = AI()
    print(hasattr(ai, "isalive"))  # False
    print(hasattr(ai, "aiisalive"))  # True

    class Plugin(metaclass=RegistryMeta):
        """The registry root: not recorded itself."""

    class Echo(Plugin):
        pass

    print(RegistryMeta.registry)  # {'Echo': <class '__main__.Echo'>}
