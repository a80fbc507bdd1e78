"""类属性与实例属性、类方法、静态方法 / Class and instance attributes, class and static methods — reference."""


class AI:
    """AI父类"""

    # 类属性：属于类，所有实例共用一份
    is_alive = False

    def __init__(self, hp, mp):
        # 实例属性：每个实例各有一份
        self.hp = hp
        self.mp = mp
        self.is_alive = False

    def hurt(self, damage):
        """实例方法：操作实例属性。"""
        self.hp -= damage
        return self.hp

    @staticmethod
    def dead():
        """静态方法：既不用类也不用实例。"""
        return "AI死亡"

    @classmethod
    def class_info(cls):
        """类方法：cls 是调用它的类（子类调用时就是子类）。"""
        return f"类文档{cls.__doc__}"

    @classmethod
    def set_alive(cls, alive):
        """类方法：修改 cls 的类属性。"""
        cls.is_alive = alive
