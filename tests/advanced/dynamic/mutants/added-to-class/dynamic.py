"""Python是动态语言 / Python is a dynamic language — reference solution."""
import types


class AI:
    def __init__(self, hp):
        self.hp = hp


def add_class_attribute(cls, name, value):
    """通过类名动态添加类属性（名字在变量 name 里，所以用 setattr）。"""
    setattr(cls, name, value)


def move(self):
    """定义好的实例方法，要动态绑定到某一个实例上。"""
    return f"move, hp={self.hp}"


def add_move(obj):
    """实例名.实例方法名 = types.MethodType(定义好的实例方法名, 实例)"""
    type(obj).move = move


@classmethod
def attack(cls):
    """定义类方法。"""
    return f"{cls.__name__} attack"


@staticmethod
def dead():
    """定义静态方法。"""
    return "dead"


def add_class_methods(cls):
    """通过类名动态添加类方法、静态方法。"""
    cls.attack = attack
    cls.dead = dead


class SlotAI:
    # 只允许添加 hp、mp 两个属性
    __slots__ = ('hp', 'mp')


def remove_move(obj):
    """动态删除实例上的方法。"""
    delattr(obj, "move")
