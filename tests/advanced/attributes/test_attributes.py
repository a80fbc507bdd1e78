"""advanced/attributes: class attribute is_alive, instance attributes hp/mp, instance, static and class methods."""
from kit.values import Raises, expect

TWO = "a1 = AI(100, 50); a2 = AI(60, 120)"
CLASS_ATTR_HINT = dict(hint_zh="在 class 语句里（方法外面）写 is_alive = False，不要在 __init__ 里写 self.is_alive。",
                       hint_en="Write is_alive = False in the class body (outside any method), not self.is_alive in __init__.")
INSTANCE_ATTR_HINT = dict(hint_zh="在 __init__ 里写 self.hp = hp 和 self.mp = mp。",
                          hint_en="In __init__, write self.hp = hp and self.mp = mp.")
CLS_HINT = dict(hint_zh="用 @classmethod，并通过第一个参数 cls 访问类，不要写死 AI。",
                hint_en="Use @classmethod and reach the class through its first parameter cls; do not hard-code AI.")
SUBCLASS = 'class Boss(AI): """Boss子类"""; '


# -- class attribute ------------------------------------------------------------------------

def test_class_attribute_default(learner):
    got = learner.call("class_attribute_default")
    expect(got, {"AI.is_alive": False, "a1.is_alive": False, "a2.is_alive": False,
                 "'is_alive' in AI.__dict__": True, "'is_alive' in a1.__dict__": False},
           "is_alive 应是类属性，值为 False：写在类里，实例自己没有这个属性，读到的是类的。",
           "is_alive must be a class attribute equal to False: defined on the class; instances have none of their own and read the class's.",
           sent=TWO, **CLASS_ATTR_HINT)


def test_class_attribute_shared(learner):
    got = learner.call("class_attribute_shared")
    expect(got, {"a1.is_alive": True, "a2.is_alive": True, "a3.is_alive": True},
           "通过类修改类属性 AI.is_alive = True 之后，所有实例（已有的和新建的）读到的都应是 True。",
           "After changing the class attribute through the class (AI.is_alive = True), every instance, old or new, must read True.",
           sent=TWO + "; AI.is_alive = True; a3 = AI(10, 10)", **CLASS_ATTR_HINT)


# -- instance attributes --------------------------------------------------------------------

def test_instance_attributes(learner):
    got = learner.call("instance_attributes")
    expect(got, {"a1.hp": 100, "a1.mp": 50, "a2.hp": 60, "a2.mp": 120, "'hp' in a1.__dict__": True,
                 "'mp' in a1.__dict__": True},
           "hp 和 mp 是实例属性：每个实例各有自己的值，存在实例的 __dict__ 里。",
           "hp and mp are instance attributes: each instance has its own values, kept in the instance's __dict__.",
           sent=TWO, **INSTANCE_ATTR_HINT)


def test_class_has_no_instance_attributes(learner):
    got = learner.call("class_reads_instance_attributes")
    expect(got, {"AI.hp": Raises("AttributeError"), "AI.mp": Raises("AttributeError")},
           "类不能访问实例属性：即使已经创建过实例，AI.hp 和 AI.mp 也应抛出 AttributeError。",
           "The class cannot read instance attributes: even after an instance was created, AI.hp and AI.mp must raise AttributeError.",
           sent="AI(100, 50); AI.hp; AI.mp",
           hint_zh="不要在类里写 hp = 0 之类的类属性，也不要写 AI.hp = hp；只在 __init__ 里给 self 赋值。",
           hint_en="Do not declare hp = 0 in the class body or write AI.hp = hp; only assign to self in __init__.")


# -- instance method ------------------------------------------------------------------------

def test_instance_method_changes_one_instance(learner):
    got = learner.call("instance_method")
    expect(got, {"a1.hurt(30)": 70, "a1.hp": 70, "a1.hurt(20)": 50, "a2.hp": 60},
           "实例方法 hurt(damage) 应把这个实例的 hp 减去 damage 并返回新的 hp，其他实例不变。",
           "The instance method hurt(damage) must subtract damage from this instance's hp and return the new hp; other instances keep theirs.",
           sent=TWO + "; a1.hurt(30); a1.hp; a1.hurt(20); a2.hp",
           hint_zh="self.hp -= damage，然后 return self.hp。", hint_en="self.hp -= damage, then return self.hp.")


# -- static method --------------------------------------------------------------------------

def test_static_method(learner):
    got = learner.call("static_method")
    expect(got, {"AI.dead()": "AI死亡", "a1.dead()": "AI死亡", "type(AI.__dict__['dead'])": "staticmethod"},
           "dead() 应是静态方法：不带参数，通过类和实例都能调用，返回 \"AI死亡\"。",
           "dead() must be a static method: no parameters, callable through the class and an instance, returning \"AI死亡\".",
           sent="a1 = AI(100, 50); AI.dead(); a1.dead()",
           hint_zh="在 def dead(): 上面加 @staticmethod。", hint_en="Put @staticmethod above def dead():.")


# -- class methods --------------------------------------------------------------------------

def test_class_info(learner):
    got = learner.call("class_info")
    expect(got, {"AI.__doc__": "AI父类", "AI.class_info()": "类文档AI父类", "a1.class_info()": "类文档AI父类",
                 "type(AI.__dict__['class_info'])": "classmethod"},
           "AI 的文档字符串应是 AI父类；类方法 class_info() 通过类或实例调用都返回 \"类文档\" + cls.__doc__。",
           "AI's docstring must be AI父类; the class method class_info() returns \"类文档\" + cls.__doc__, called through the class or an instance.",
           sent="a1 = AI(100, 50); AI.__doc__; AI.class_info(); a1.class_info()",
           hint_zh="文档字符串 \"\"\"AI父类\"\"\" 必须是类里的第一条语句；class_info 上面加 @classmethod。",
           hint_en="The docstring \"\"\"AI父类\"\"\" must be the first statement in the class body; put @classmethod above class_info.")


def test_class_info_on_subclass(learner):
    got = learner.call("class_info_on_subclass")
    expect(got, {"Boss.class_info()": "类文档Boss子类", "boss.class_info()": "类文档Boss子类"},
           "通过子类调用类方法时，cls 就是子类：应返回子类自己的文档。",
           "A class method called through a subclass receives the subclass as cls: it must return the subclass's docstring.",
           sent=SUBCLASS + "boss = Boss(500, 300); Boss.class_info(); boss.class_info()", **CLS_HINT)


def test_set_alive_changes_class_attribute(learner):
    got = learner.call("set_alive")
    expect(got, [["AI.set_alive(True)", None], ["AI.is_alive", True], ["a1.is_alive", True], ["a2.is_alive", True],
                 ["a1.set_alive(False)", None], ["AI.is_alive", False], ["a2.is_alive", False]],
           "类方法 set_alive(alive) 应修改类属性 is_alive（返回 None）：通过类或实例调用都改的是类，所有实例都看到新值。",
           "The class method set_alive(alive) must change the class attribute is_alive (returning None): called through the class "
           "or an instance, it changes the class, and every instance sees the new value.",
           sent=TWO + "; AI.set_alive(True); a1.set_alive(False)",
           hint_zh="用 @classmethod 写 cls.is_alive = alive；实例不能有自己的 is_alive（不要在 __init__ 里写 self.is_alive）。",
           hint_en="Use @classmethod and write cls.is_alive = alive; instances must not have their own is_alive "
                   "(no self.is_alive in __init__).")


def test_set_alive_on_subclass(learner):
    got = learner.call("set_alive_on_subclass")
    expect(got, [["Boss.set_alive(True)", None], ["Boss.is_alive", True], ["boss.is_alive", True],
                 ["AI.is_alive", False], ["ai.is_alive", False]],
           "Boss.set_alive(True) 只应修改 Boss 的类属性（cls 是 Boss），AI 和它的实例仍是 False。",
           "Boss.set_alive(True) must change only Boss's class attribute (cls is Boss); AI and its instances stay False.",
           sent=SUBCLASS + "ai = AI(100, 50); boss = Boss(500, 300); Boss.set_alive(True)", **CLS_HINT)
