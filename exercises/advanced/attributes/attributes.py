"""类属性与实例属性、类方法、静态方法 / Class and instance attributes, class and static methods — see README.md."""


class AI:
    """AI父类"""

    # TODO: 类属性 is_alive = False / class attribute is_alive = False

    def __init__(self, hp, mp):
        """Store hp and mp as instance attributes (self.hp, self.mp)."""
        raise NotImplementedError("TODO: AI.__init__")

    def hurt(self, damage):
        """Instance method: subtract damage from this instance's hp and return the new hp."""
        raise NotImplementedError("TODO: AI.hurt")

    @staticmethod
    def dead():
        """Static method: return the string "AI死亡"."""
        raise NotImplementedError("TODO: AI.dead")

    @classmethod
    def class_info(cls):
        """Class method: return "类文档" followed by cls.__doc__ (the docstring of the class it was called on)."""
        raise NotImplementedError("TODO: AI.class_info")

    @classmethod
    def set_alive(cls, alive):
        """Class method: set the class attribute is_alive of cls to alive; return None."""
        raise NotImplementedError("TODO: AI.set_alive")
