"""元类 / Metaclasses — see README.md."""


def make_ai():
    """Return the class AI made with type(): class name "AI", no bases, class attribute hp = 100."""
    raise NotImplementedError("TODO: make_ai")


def speak(self):
    """Instance method for NPC: print("Welcome")."""
    raise NotImplementedError("TODO: speak")


def attack():
    """Make this a static method (@staticmethod) for NPC: print("Attack")."""
    raise NotImplementedError("TODO: attack")


def dead(cls):
    """Make this a class method (@classmethod) for NPC: print("Dead")."""
    raise NotImplementedError("TODO: dead")


def make_npc(ai):
    """Return the class NPC made with type(): name "NPC", base class ai (the argument),
    attributes canMove = False and the methods speak, attack and dead."""
    raise NotImplementedError("TODO: make_npc")


def renameattribute(classname, parentclass, attributedic):
    """The notes' metaclass written as a function, used as class X(..., metaclass=renameattribute).

    Return type(classname, parentclass, newattribute) where every name in attributedic that
    does not start with "__" becomes classname.lower() + name ("isalive" in class AI becomes
    "aiisalive"); names starting with "__" stay as they are.
    """
    raise NotImplementedError("TODO: renameattribute")


class RegistryMeta(type):
    """A class-based metaclass: every class it creates that has a base class made by
    RegistryMeta is recorded as RegistryMeta.registry[class name] = class; the root is not."""

    registry = {}

    def __new__(mcs, name, bases, attrs):
        """Create the class with super().__new__(...), record it if it is below a root, return it."""
        raise NotImplementedError("TODO: RegistryMeta.__new__")
