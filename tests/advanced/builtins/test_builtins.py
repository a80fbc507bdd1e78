"""advanced/builtins: map / filter / reduce / sorted (lazy, on generated inputs), and a class using
__str__, __repr__, __getattr__, __doc__, __dict__, __bases__."""
import random

from grader.feedback import check, equal
from kit.calls import raised
from kit.values import Raises, expect

SEED = 20240111  # generated inputs (shown on failure)
CASES = 40

L1 = [0, 1, 2, 3, 4, 5, 6]
L2 = ["Sun", "M", "T", "W", "T", "F", "S"]


def call_text(function, args):
    return f"{function}({', '.join(repr(a) for a in args)})"


def run_cases(learner, function, cases, expected_of, zh, en, wrap="list", **hints):
    """Each case's answer must equal expected_of(*args); the first wrong one is reported."""
    got = learner.call("results", function, cases)
    for args, result in zip(cases, got, strict=False):
        sent = (f"{wrap}({call_text(function, args)})" if wrap else call_text(function, args)) + f"   (seed={SEED})"
        if result["error"]:
            raised(result["error"], sent=sent)
        equal(result["value"], expected_of(*args), zh, en, sent=sent, **hints)
    return got


def random_ints(rng, low=-50, high=50):
    return [rng.randint(low, high) for _ in range(rng.randint(0, 12))]


# -- map -------------------------------------------------------------------------------------------

def test_pair_up_pairs(learner):
    rng = random.Random(SEED)
    words = ["Sun", "M", "T", "W", "F", "S", "月", "火", ""]
    cases = [[L1, L2]] + [[random_ints(rng), [rng.choice(words) for _ in range(rng.randint(0, 12))]] for _ in range(CASES)]
    run_cases(learner, "pair_up", cases, lambda a, b: [(x, y) for x, y in zip(a, b, strict=False)],
              "pair_up(l1, l2) 应把两个序列按位置配成 (x, y) 元组，长度与较短的序列相同。",
              "pair_up(l1, l2) must pair the two sequences by position as (x, y) tuples, as long as the shorter one.",
              hint_zh="def f1(x, y): return (x, y)，然后 return map(f1, l1, l2)。",
              hint_en="def f1(x, y): return (x, y), then return map(f1, l1, l2).")


def lazy_check(learner, function, inputs, first, type_name):
    got = learner.call("lazy", function, inputs)
    sent = (f"{function}({', '.join(f'Counting({items!r})' for items in inputs)})   "
            "# Counting 记录被取走了几个元素 / counts the items taken from it")
    if got["error"]:
        raised(got["error"], sent=sent)
    hints = dict(hint_zh=f"直接返回 {type_name}(...) 的结果，不要用 list(...) 或列表推导式把它变成列表。",
                 hint_en=f"Return the {type_name}(...) object itself; do not turn it into a list with list(...) or a comprehension.")
    equal(got["taken_after_call"], [0] * len(inputs), f"{function} 返回时还不应从输入里取任何元素：{type_name} 对象是惰性的。",
          f"{function} must not take any item from its inputs before returning: a {type_name} object is lazy.",
          sent=sent + "\n# 调用之后、取第一个结果之前 / after the call, before taking the first result", **hints)
    equal(got["type"], type_name, f"{function} 应返回 {type_name} 对象。", f"{function} must return a {type_name} object.",
          sent=sent, **hints)
    equal(got["first"], first, f"{function} 的第一个结果不对。", f"The first result of {function} is wrong.", sent=sent)
    check(max(got["taken_after_next"]) <= 3, f"只取第一个结果时，{function} 不应把输入全部读完。",
          f"Taking only the first result, {function} must not read its inputs to the end.", sent=sent + "\nnext(result)",
          expected="只取走开头的几个元素 / only the first few items taken", got=got["taken_after_next"], **hints)


def test_pair_up_is_lazy(learner):
    lazy_check(learner, "pair_up", [L1, L2], (0, "Sun"), "map")


# -- filter ----------------------------------------------------------------------------------------

def test_odd_numbers_are_odd(learner):
    rng = random.Random(SEED + 1)
    cases = [[[1, 2, 5, 7, 9]], [[]], [[0, -1, -2, -3, 4]]] + [[random_ints(rng)] for _ in range(CASES)]
    run_cases(learner, "odd_numbers", cases, lambda xs: [x for x in xs if x % 2 != 0],
              "odd_numbers(numbers) 应按原来的顺序给出所有奇数（包括负奇数）。",
              "odd_numbers(numbers) must give every odd number (negative ones too), in their original order.",
              hint_zh="def is_odd(x): return x % 2 != 0，然后 return filter(is_odd, numbers)。",
              hint_en="def is_odd(x): return x % 2 != 0, then return filter(is_odd, numbers).")


def test_odd_numbers_is_lazy(learner):
    lazy_check(learner, "odd_numbers", [[2, 4, 5, 6, 7, 8, 9, 10, 11]], 5, "filter")


# -- reduce ----------------------------------------------------------------------------------------

def test_total_sums(learner):
    rng = random.Random(SEED + 2)
    cases = [[[1, 3, 5, 7]], [[]], [[42]], [(2, 4, 6)]] + [[random_ints(rng, -1000, 1000)] for _ in range(CASES)]
    run_cases(learner, "total", cases, lambda xs: sum(xs),
              "total(numbers) 应返回所有数的和；没有数时返回 0。", "total(numbers) must return the sum; 0 when there are no numbers.",
              wrap=None, hint_zh="return reduce(add, numbers, 0)：第三个参数是初始值，空序列时就返回它。",
              hint_en="return reduce(add, numbers, 0): the third argument is the initial value, returned for an empty sequence.")


# -- sorted ----------------------------------------------------------------------------------------

def descending_cases():
    rng = random.Random(SEED + 3)
    cases = [[[1, 3, 5, 7, 2]], [[]]]
    for i in range(CASES):
        numbers = random_ints(rng)
        cases.append([tuple(numbers) if i % 3 == 0 else numbers])  # tuples too: any sequence
    return cases


def test_descending_sorts(learner):
    run_cases(learner, "descending", descending_cases(), lambda xs: sorted(xs, reverse=True),
              "descending(numbers) 应返回从大到小排好序的新列表。", "descending(numbers) must return a new list, largest first.",
              wrap=None, hint_zh="return sorted(numbers, reverse=True)", hint_en="return sorted(numbers, reverse=True)")


def test_descending_keeps_input(learner):
    cases = descending_cases()
    got = learner.call("results", "descending", cases)
    for args, result in zip(cases, got, strict=False):
        sent = call_text("descending", args) + f"   (seed={SEED})"
        if result["error"]:
            raised(result["error"], sent=sent)
        check(result["inputs_unchanged"], "descending 不能修改传进来的序列：sorted 返回新列表。",
              "descending must not change the sequence it is given: sorted returns a new list.", sent=sent,
              got=f"调用后 / afterwards: {result['inputs_after']}",
              hint_zh="不要用 numbers.sort()，它会原地修改，而且元组没有 sort。",
              hint_en="Do not use numbers.sort(): it changes the list in place, and tuples have no sort.")
        equal(result["type"], "list", "descending 应返回列表。", "descending must return a list.", sent=sent)


# -- the class ---------------------------------------------------------------------------------------

def test_str_and_repr(learner):
    got = learner.call("str_and_repr")
    expect(got, {
        "str(Hero('zzy', 80))": "英雄 zzy，血量 80",
        "print(Hero('zzy', 80)) 打印 / prints": "英雄 zzy，血量 80\n",
        "repr(Hero('zzy', 80))": "Hero('zzy', 80)",
        "repr(Hero('阿强'))": "Hero('阿强', 100)",
        "str([Hero('zzy', 80)])": "[Hero('zzy', 80)]",
        "h = eval(repr(Hero('zzy', 80))); [h.name, h.hp]": ["zzy", 80],
    }, "__str__ 给人看（print 用它），__repr__ 要准确（列表里显示、eval 能重建对象）。",
        "__str__ is for people (print uses it); __repr__ is exact (shown inside lists, eval rebuilds the object).",
        sent="h = Hero('zzy', 80)",
        hint_zh="__str__: f\"英雄 {self.name}，血量 {self.hp}\"（中文逗号）；__repr__: f\"Hero({self.name!r}, {self.hp!r})\"。",
        hint_en="__str__: f\"英雄 {self.name}，血量 {self.hp}\" (a Chinese comma); __repr__: f\"Hero({self.name!r}, {self.hp!r})\".")


def test_getattr_default_for_missing(learner):
    got = learner.call("getattr_missing")
    expect(got, {
        "Hero('zzy').attack": 0,
        "Hero('zzy').defense": 0,
        "getattr(Hero('zzy'), 'speed', 5)": 0,
        "hasattr(Hero('zzy'), '_secret')": False,
        "Hero('zzy')._secret": Raises("AttributeError"),
        "hasattr(Hero('zzy'), '__length_hint__')": False,
    }, "没有的属性：普通名字返回 0；以 _ 开头的名字要抛出 AttributeError。",
        "A missing attribute: an ordinary name gives 0; a name starting with _ must raise AttributeError.",
        sent="Hero('zzy') 没有 attack、defense、speed、_secret 属性 / has no attack, defense, speed, _secret",
        hint_zh="def __getattr__(self, name): if name.startswith(\"_\"): raise AttributeError(name)；否则 return 0。",
        hint_en="def __getattr__(self, name): if name.startswith(\"_\"): raise AttributeError(name); else return 0.")


def test_getattr_only_for_missing(learner):
    got = learner.call("getattr_only_missing")
    spy = "__getattr__ 被调用的名字 / names __getattr__ was called for: "
    expect(got, {
        "Hero('zzy', 80).name": "zzy",
        "Hero('zzy', 80).hp": 80,
        "Hero('zzy').kind": "hero",
        "h = Hero('zzy', 80); [h.heal(5), h.hp]": [85, 85],
        "h = Hero('zzy'); h.attack = 7; h.attack": 7,
        spy + "s.name, s.hp, s.kind, s.heal": [],
        spy + "s.mana": ["mana"],
    }, "已有的属性（实例属性、类属性、方法）要照常找到，只有找不到的属性才交给 __getattr__。",
        "Existing attributes (instance attributes, class attributes, methods) must be found as usual; only missing "
        "ones go to __getattr__.",
        sent="h = Hero('zzy', 80)\nclass Spy(Hero):  # 记录 __getattr__ 被调用的名字 / records the names __getattr__ is called for\n"
             "    def __getattr__(self, name): calls.append(name); return super().__getattr__(name)\ns = Spy('zzy', 80)",
        hint_zh="用 __getattr__（找不到时才调用），不要用 __getattribute__（每次访问都调用）。",
        hint_en="Use __getattr__ (called only when lookup fails), not __getattribute__ (called on every access).")


def test_builtin_attributes(learner):
    got = learner.call("builtin_attributes")
    expect(got, {
        "Hero.__doc__": "英雄：有名字和血量 / A hero with a name and hit points.",
        "[b.__name__ for b in Hero.__bases__]": ["Role"],
        "Role.kind": "role",
        "Hero.kind": "hero",
        "Hero('zzy', 80).__dict__": [("hp", 80), ("name", "zzy")],
        "Hero('zzy').__class__ is Hero": True,
    }, "Hero 的内建属性不对：__dict__ 里只应有实例自己的属性 name 和 hp（kind 是类属性）。",
        "Hero's built-in attributes are wrong: __dict__ must hold only the instance's own attributes name and hp "
        "(kind is a class attribute).", sent="class Hero(Role)",
        hint_zh="kind = \"hero\" 写在类体里，不要在 __init__ 里写 self.kind。",
        hint_en="Put kind = \"hero\" in the class body, not self.kind in __init__.")


def test_describe(learner):
    got = learner.call("describe")
    expect(got, {
        "describe(Hero('zzy', 80))": {"class": "Hero", "doc": "英雄：有名字和血量 / A hero with a name and hit points.",
                                      "attributes": ["hp", "name"], "bases": ["Role"]},
        "describe(Villain('v'))  # class Villain(Hero): 没有文档字符串 / no docstring; self.evil = True":
            {"class": "Villain", "doc": None, "attributes": ["evil", "hp", "name"], "bases": ["Hero"]},
        "describe(Plain())  # class Plain: \"\"\"普通的类 / A plain class.\"\"\"; self.x = 1":
            {"class": "Plain", "doc": "普通的类 / A plain class.", "attributes": ["x"], "bases": ["object"]},
    }, "describe(obj) 应返回 {'class': 类名, 'doc': 类的 __doc__, 'attributes': 排好序的 __dict__ 键, 'bases': 直接父类的名字}。",
        "describe(obj) must return {'class': class name, 'doc': the class's __doc__, 'attributes': sorted __dict__ keys, "
        "'bases': the names of the direct base classes}.",
        hint_zh="用 obj.__class__、cls.__doc__（子类不继承文档字符串）、obj.__dict__、cls.__bases__；dir(obj) 还包括类的属性和方法。",
        hint_en="Use obj.__class__, cls.__doc__ (a subclass does not inherit the docstring), obj.__dict__, cls.__bases__; "
                "dir(obj) also lists the class's attributes and methods.")
