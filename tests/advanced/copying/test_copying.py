"""advanced/copying: = / copy.copy / copy.deepcopy on the notes' list, and my_deepcopy."""
from grader.feedback import check, equal, fail
from kit.calls import raised

SEED = 20240107  # generated data: case i is built from seed SEED * 1000 + i (shown on failure)
GENERATED = 150

MEMO_HINT = dict(
    hint_zh="用一个字典 memo 记录 id(原对象) -> 它的副本；复制列表/字典/集合时先把新的空容器放进 memo，再复制里面的元素。",
    hint_en="Keep a dict memo of id(original) -> its copy; when copying a list/dict/set, put the new empty container "
            "in memo first, then copy the items.",
)


def crashed(error, sent):
    raised(error, sent=sent, **(MEMO_HINT if error["type"] == "RecursionError" else {}))


# -- the notes' three ways ---------------------------------------------------------------------

def test_three_copies(learner):
    got = learner.call("three_copies")
    sent = "list1 = [1, 2, [3, 4]]\nby_assign, by_copy, by_deepcopy = three_copies(list1)"
    if got["error"]:
        crashed(got["error"], sent)
    if "not_three" in got:
        fail("three_copies 应返回 3 个值的元组 (by_assign, by_copy, by_deepcopy)。",
             "three_copies must return a tuple of 3 values (by_assign, by_copy, by_deepcopy).",
             sent=sent, got=got["not_three"])
    expected = {
        "by_assign is list1": True,
        "by_copy is list1": False,
        "by_copy == [1, 2, [3, 4]]": True,
        "by_copy[2] is list1[2]": True,
        "by_deepcopy is list1": False,
        "by_deepcopy == [1, 2, [3, 4]]": True,
        "by_deepcopy[2] is list1[2]": False,
    }
    for fact, want in expected.items():
        equal(got["facts"][fact], want, "= 只是多了一个名字；copy.copy 新建外层列表但共用里面的子列表；copy.deepcopy 连子列表也复制。",
              "= only adds a name; copy.copy makes a new outer list sharing the inner list; copy.deepcopy copies the "
              "inner list too.", sent=sent + f"\n{fact}",
              hint_zh="by_assign = list1；by_copy = copy.copy(list1)；by_deepcopy = copy.deepcopy(list1)。",
              hint_en="by_assign = list1; by_copy = copy.copy(list1); by_deepcopy = copy.deepcopy(list1).")


DEMO = [
    "= [1, 2, [3, 4, 3.5], 5] [1, 2, [3, 4, 3.5], 5]",
    "copy.copy [1, 2, [3, 4, 3.5], 5] [1, 2, [3, 4, 3.5]]",
    "copy.deepcopy [1, 2, [3, 4, 3.5], 5] [1, 2, [3, 4]]",
]


def test_demo_prints_the_notes_experiment(learner):
    got = learner.call("demo")
    sent = "demo()"
    if got["error"]:
        crashed(got["error"], sent)
    equal(got["lines"], DEMO, "demo() 应打印 3 行：每种复制方式一行，print(方式, list1, list2)。",
          "demo() must print 3 lines, one per way of copying: print(way, list1, list2).", sent=sent,
          hint_zh="每种方式都从新的 list1 = [1, 2, [3, 4]] 开始，复制后执行 list1.append(5) 和 list1[2].append(3.5)。",
          hint_en="Start each way from a fresh list1 = [1, 2, [3, 4]]; after copying, do list1.append(5) and "
                  "list1[2].append(3.5).")


# -- my_deepcopy on written cases ------------------------------------------------------------------

def run_cases(learner, cases, hints=None):
    """hints: code -> the hint for a wrong fact of that case (MEMO_HINT otherwise)."""
    results = learner.call("cases", cases)
    for (code, facts), got in zip(cases, results, strict=True):
        sent = f"{code}\nc = my_deepcopy(a)"
        if got["error"]:
            crashed(got["error"], sent)
        for fact in facts:
            check(got["facts"][fact] is True, f"副本不对：{fact} 应为 True。", f"Wrong copy: {fact} must be True.",
                  sent=sent, expected=f"{fact} → True", got=f"{fact} → {got['facts'][fact]!r}；c = {got['copy']}",
                  **(hints or {}).get(code, MEMO_HINT))
        judge(got, sent)


def judge(got, sent):
    """Same values, aliasing and cycles as the original; nothing mutable shared; original untouched."""
    check(not got["original_changed"], "my_deepcopy 不能修改原对象。", "my_deepcopy must not change the original.",
          sent=sent, got=f"复制之后原对象变成 / after the copy the original is {got['original']}")
    check(not got["shared"], "副本里还有原对象的列表/字典/集合：深拷贝要把每一层可变容器都复制一份。",
          "The copy still contains lists/dicts/sets of the original: a deep copy makes new mutable containers at "
          "every level.", sent=sent, got=f"与原对象共用 / shared with the original: {', '.join(got['shared'])}；c = {got['copy']}",
          hint_zh="列表、字典、集合都要新建；只有 int、str、tuple 等不可变的值可以原样返回。",
          hint_en="Make new lists, dicts and sets; only immutable values such as int, str or tuples of them may be "
                  "returned as they are.")
    if got["got"] != got["expected"]:
        zh, en = first_difference(got["expected"], got["got"])
        fail("副本与原对象的结构不同：" + zh, "The copy is not shaped like the original: " + en, sent=sent,
             expected=f"与原对象一样 / like the original: {got['original']}", got=got["copy"], **MEMO_HINT)


# -- where two shapes (see probe.py) first differ, said for the learner ---------------------------

KIND_ZH = {"list": "列表", "dict": "字典", "set": "集合", "tuple": "元组"}


def shown_key(key):
    if key[0] == "tuple":
        return "(" + ", ".join(shown_key(k) for k in key[1]) + ("," if len(key[1]) == 1 else "") + ")"
    return key[-1]


def first_difference(expected, got):
    """(zh, en) naming the first place, as a path like a[0]['k'], where the shapes differ."""
    paths_expected, paths_got = {}, {}

    def walk(exp, act, path):
        if exp == act and exp[0] not in KIND_ZH:  # containers are walked anyway: their paths are needed
            return None
        if exp[0] == "ref" and act[0] != "ref":
            where = paths_expected.get(exp[1], "?")
            return (f"原对象里 {path} 和 {where} 是同一个对象（共用的引用或循环），副本里 {path} 却是另一个新对象。",
                    f"in the original, {path} is the same object as {where} (a shared reference or a cycle), but in "
                    f"the copy {path} is a separate new object.")
        if act[0] == "ref" and exp[0] != "ref":
            where = paths_got.get(act[1], "?")
            return (f"副本里 {path} 和 {where} 是同一个对象，原对象里它们是两个不同的对象。",
                    f"in the copy, {path} is the same object as {where}; in the original they are two objects.")
        if exp[0] == "ref":
            return (f"{path} 在原对象里指向 {paths_expected.get(exp[1], '?')}，在副本里指向 {paths_got.get(act[1], '?')}。",
                    f"{path} refers to {paths_expected.get(exp[1], '?')} in the original but to "
                    f"{paths_got.get(act[1], '?')} in the copy.")
        if exp[0] != act[0]:
            return (f"{path} 应是 {exp[0]}，副本里是 {act[1] if act[0] == 'other' else act[0]}。",
                    f"{path} must be a {exp[0]}, the copy has a {act[1] if act[0] == 'other' else act[0]}.")
        kind = exp[0]
        if kind not in KIND_ZH:
            return (f"{path} 应是 {exp[1]}，副本里是 {act[1]}。", f"{path} must be {exp[1]}, the copy has {act[1]}.")
        if kind != "tuple":
            paths_expected[exp[1]], paths_got[act[1]] = path, path
        items_exp, items_act = exp[-1], act[-1]
        if kind == "set" and items_exp == items_act:
            return None
        if kind == "set" or len(items_exp) != len(items_act):
            return (f"{path}（{KIND_ZH[kind]}）的元素不对：应有 {len(items_exp)} 个，副本里有 {len(items_act)} 个。",
                    f"the items of {path} (a {kind}) differ: {len(items_exp)} expected, the copy has {len(items_act)}.")
        for i, (e, a) in enumerate(zip(items_exp, items_act, strict=True)):
            if kind == "dict":
                if e[0] != a[0]:
                    return (f"{path} 的第 {i + 1} 个键应是 {shown_key(e[0])}，副本里是 {shown_key(a[0])}。",
                            f"key {i + 1} of {path} must be {shown_key(e[0])}, the copy has {shown_key(a[0])}.")
                found = walk(e[1], a[1], f"{path}[{shown_key(e[0])}]")
            else:
                found = walk(e, a, f"{path}[{i}]")
            if found:
                return found
        return None

    return walk(expected, got, "a") or ("（未找到差异）", "(no difference found)")


def test_deepcopy_notes_list(learner):
    run_cases(learner, [["a = [1, 2, [3, 4]]", ["c == [1, 2, [3, 4]]", "c is not a", "c[2] is not a[2]"]]])


def test_deepcopy_keeps_container_types(learner):
    run_cases(learner, [
        ["a = {'name': 'zzy', 'scores': [90, 85], 'pos': (1, [2, 3]), 'tags': {'x', 'y'}}",
         ["c == a", "type(c['pos']) is tuple", "type(c['tags']) is set", "c['pos'][1] is not a['pos'][1]",
          "c['tags'] is not a['tags']"]],
        ["a = ([1], (2, 'b'), {3}, {'k': b'v'}, None, 1.5, True)",
         ["c == a", "type(c) is tuple", "c[0] is not a[0]", "c[2] is not a[2]", "c[3] is not a[3]"]],
    ])


def test_deepcopy_keeps_shared_references(learner):
    run_cases(learner, [
        ["inner = [1, 2]\na = [inner, inner, {'k': inner}]",
         ["c[0] is c[1]", "c[0] is c[2]['k']", "c[0] is not inner"]],
        ["x = {'n': 1}\na = ((x, x), [x], {'again': x})",
         ["c[0][0] is c[0][1]", "c[0][0] is c[1][0]", "c[0][0] is c[2]['again']", "c[0][0] is not x"]],
    ])


def test_deepcopy_copies_cycles(learner):
    run_cases(learner, [
        ["a = [1, 2]\na.append(a)", ["c[2] is c", "c is not a"]],
        ["a = {'name': 'd'}\na['self'] = a", ["c['self'] is c", "c is not a"]],
        ["x = [1]\na = [2, x]\nx.append(a)", ["c[1][1] is c", "c[1] is not x"]],
        ["a = {'children': []}\na['children'].append({'parent': a})", ["c['children'][0]['parent'] is c"]],
        ["a = []\nt = (a, 'tuple')\na.append(t)", ["c[0][0] is c", "c is not a"]],
        *THROUGH_TUPLE,
    ], hints={code: TUPLE_HINT for code, _ in THROUGH_TUPLE})


# Cycles entered through the tuple: copying the tuple's items reaches the list inside, which copies
# this same tuple first; the outer call must then return that copy, not build a second tuple.
THROUGH_TUPLE = [
    ["x = []\nt = (x,)\nx.append(t)\na = t", ["type(c) is tuple", "c[0][0] is c", "c[0] is not x"]],
    ["x = []\nt = (x, 'tuple')\nx.append(t)\na = [t]", ["type(c[0]) is tuple", "c[0][0][0] is c[0]"]],
    ["x = {}\nt = (1, x)\nx['t'] = t\na = {'k': t}", ["c['k'][1]['t'] is c['k']", "c['k'][1] is not x"]],
]
TUPLE_HINT = dict(
    hint_zh="元组要等元素复制完才能创建；复制元素时循环可能已经把这个元组复制过了，所以创建之前再查一次 memo，有就返回 memo 里的那个。",
    hint_en="A tuple is built after its items, and copying them may already have copied this tuple through the "
            "cycle: look in memo again before building it, and return the copy found there.",
)


def test_deepcopy_calls_are_independent(learner):
    got = learner.call("independent_calls")
    sent = "a = [1, [2]]\nc1 = my_deepcopy(a)\na[1].append(3)\nc2 = my_deepcopy(a)"
    if got["error"]:
        crashed(got["error"], sent)
    equal(got["c1"], "[1, [2]]", "原对象改变后，之前做的副本不能跟着变：子列表也要复制。",
          "A copy made earlier must not change when the original changes: copy the inner list too.", sent=sent)
    equal(got["c2"], "[1, [2, 3]]", "第二次调用应复制原对象现在的内容。",
          "The second call must copy what the original holds now.", sent=sent, **INDEPENDENT_HINT)
    check(not got["c1 is c2"] and not got["c1[1] is c2[1]"],
          "每次调用 my_deepcopy 都应得到一个新的、独立的副本：不要在两次调用之间保留 memo。",
          "Every call of my_deepcopy must make a new, independent copy: do not keep memo from one call to the next.",
          sent=sent, expected="c1 is not c2, c1[1] is not c2[1]",
          got=f"c1 is c2: {got['c1 is c2']}, c1[1] is c2[1]: {got['c1[1] is c2[1]']}", **INDEPENDENT_HINT)


INDEPENDENT_HINT = dict(
    hint_zh="不要写 def my_deepcopy(obj, memo={})：默认值只创建一次。写 memo=None，再在函数里 if memo is None: memo = {}。",
    hint_en="Do not write def my_deepcopy(obj, memo={}): the default is created once. Use memo=None and "
            "if memo is None: memo = {} inside.",
)


def test_deepcopy_matches_copy_deepcopy(learner):
    results = learner.call("generated", SEED, GENERATED)
    assert results, "probe returned no results"
    for got in results:
        if got.get("ok"):
            continue
        assert got["deepcopy"] == got["expected"], f"seed {got['seed']}: copy.deepcopy itself changed the shape"
        sent = (f"生成的数据 / generated data (seed={SEED}, case seed={got['seed']}, 共 / of {GENERATED} 个 / cases): "
                f"a = {got['original']}\nc = my_deepcopy(a)   # 与 copy.deepcopy(a) 比较 / compared with copy.deepcopy(a)")
        if got["error"]:
            crashed(got["error"], sent)
        judge(got, sent)
    assert len(results) == GENERATED, f"probe returned {len(results)} results, all ok"
