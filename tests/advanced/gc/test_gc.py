"""advanced/gc: reference cycles seen through weak references, mark and sweep, small ints and interning."""
import random

from grader.feedback import check, equal, fail
from kit.calls import raised

SEED = 20240110  # generated graphs and inputs (shown on failure)


def crashed(error, sent):
    hint = {}
    if error["type"] == "RecursionError":
        hint = dict(hint_zh="不要用递归遍历：用一个列表当栈（todo.pop() / todo.extend(...)）。",
                    hint_en="Do not walk the graph recursively: use a list as a stack (todo.pop() / todo.extend(...)).")
    raised(error, sent=sent, **hint)


# -- a reference cycle, observed through weak references -------------------------------------------

def lifetime(learner, which):
    got = learner.call("lifetime", which)
    sent = f"a, b = {which}()"
    if got["error"]:
        crashed(got["error"], sent)
    facts = got["facts"]
    check(facts["pair"], f"{which}() 应返回两个 Node 组成的元组 (a, b)。", f"{which}() must return a tuple (a, b) of two Nodes.",
          sent=sent, got=facts.get("repr"))
    equal(facts["names"], ["a", "b"], "两个 Node 的 name 应分别是 \"a\" 和 \"b\"。", "The two Nodes must be named \"a\" and \"b\".",
          sent=sent)
    if "weakref_error" in got:
        fail("无法对返回的对象建立弱引用：请返回 Node 的实例（不要用列表、字典）。",
             "Cannot make a weak reference to the objects returned: return Node instances (not lists or dicts).",
             sent=sent, got=f"{facts['types']}: {got['weakref_error']}")
    return got, sent


def test_make_cycle_links_two_nodes(learner):
    got, sent = lifetime(learner, "make_cycle")
    facts = got["facts"]
    equal(facts["types"], ["Node", "Node"], "make_cycle() 应返回两个 Node 对象。", "make_cycle() must return two Node objects.",
          sent=sent)
    check(facts["a.ref is b"] and facts["b.ref is a"], "a 和 b 应互相引用：a.ref is b 且 b.ref is a。",
          "a and b must refer to each other: a.ref is b and b.ref is a.", sent=sent,
          expected="a.ref is b → True, b.ref is a → True",
          got=f"a.ref is b → {facts['a.ref is b']}, b.ref is a → {facts['b.ref is a']}")


def test_cycle_survives_del_with_gc_disabled(learner):
    got, sent = lifetime(learner, "make_cycle")
    equal(got["after_del"], [True, True],
          "关掉循环垃圾回收（gc.disable()）后删除 a、b，这两个互相引用的对象应仍然存活：引用计数不会降到 0。",
          "With the cyclic collector off (gc.disable()), after del a, b the two objects must still be alive: their "
          "reference counts never drop to 0.", sent=sent + "\ngc.disable(); wa, wb = weakref.ref(a), weakref.ref(b); del a, b\n"
          "[wa() is not None, wb() is not None]",
          hint_zh="检查 a.ref = b 和 b.ref = a 是否都设置了。", hint_en="Check that both a.ref = b and b.ref = a are set.")


def test_cycle_reclaimed_by_gc_collect(learner):
    got, sent = lifetime(learner, "make_cycle")
    equal(got["after_collect"], [False, False], "gc.collect() 之后，这个循环里的两个对象都应被回收。",
          "After gc.collect(), both objects of the cycle must be reclaimed.",
          sent=sent + "\ngc.disable(); wa, wb = weakref.ref(a), weakref.ref(b); del a, b; gc.collect()\n"
          "[wa() is not None, wb() is not None]",
          hint_zh="不要在别处（全局列表、类属性）保存 Node 对象。", hint_en="Do not keep Node objects anywhere else (a global list, a class attribute).")


def test_chain_freed_by_refcount(learner):
    got, sent = lifetime(learner, "make_chain")
    facts = got["facts"]
    check(facts["a.ref is b"] and facts["b.ref is None"], "make_chain() 应返回 a → b：a.ref is b，b.ref is None。",
          "make_chain() must return a → b: a.ref is b, b.ref is None.", sent=sent,
          expected="a.ref is b → True, b.ref is None → True",
          got=f"a.ref is b → {facts['a.ref is b']}, b.ref is None → {facts['b.ref is None']}")
    equal(got["after_del"], [False, False], "没有循环时，即使关掉 gc，del 之后引用计数降到 0，两个对象应立即被释放。",
          "Without a cycle, even with gc off, del drops the reference counts to 0 and both objects must be freed at once.",
          sent=sent + "\ngc.disable(); wa, wb = weakref.ref(a), weakref.ref(b); del a, b\n[wa() is not None, wb() is not None]",
          hint_zh="不要在别处（全局列表、类属性）保存 Node 对象。", hint_en="Do not keep Node objects anywhere else (a global list, a class attribute).")


# -- survives_del(make) ----------------------------------------------------------------------------

MAKERS = {
    "cycle": ("a.ref = b; b.ref = a; return a", True),
    "self_loop": ("a.ref = a; return a", True),
    "list_cycle": ("a.items = [a]; return a", True),
    "chain": ("a.ref = b; return a", False),
    "plain": ("return Thing()", False),
}


def test_survives_del_answers(learner):
    got = learner.call("survives", list(MAKERS), True)
    for kind, (body, alive) in MAKERS.items():
        result = got[kind]
        sent = f"def make(): a, b = Thing(), Thing(); {body}\nsurvives_del(make)"
        if result["error"]:
            crashed(result["error"], sent)
        equal(result["calls"], 1, "survives_del(make) 应正好调用 make() 一次。", "survives_del(make) must call make() exactly once.",
              sent=sent)
        equal(result["answer"], alive,
              "survives_del 的回答不对：关掉 gc 后 del 掉唯一的名字，只有处在循环里的对象还活着。",
              "survives_del answered wrong: after del of the only name with gc off, only an object in a cycle is still alive.",
              sent=sent, hint_zh="obj = make(); ref = weakref.ref(obj); del obj; 再看 ref() is not None。",
              hint_en="obj = make(); ref = weakref.ref(obj); del obj; then look at ref() is not None.")


def test_survives_del_cleans_up(learner):
    for enabled in (True, False):
        got = learner.call("survives", ["cycle"], enabled)["cycle"]
        state = "gc.enable()" if enabled else "gc.disable()"
        sent = f"{state}\ndef make(): a, b = Thing(), Thing(); a.ref = b; b.ref = a; return a\nsurvives_del(make)"
        if got["error"]:
            crashed(got["error"], sent)
        check(got["enabled_after"] == enabled, f"survives_del 返回后，gc 应恢复原来的状态（调用前是 {state}）。",
              f"After survives_del returns, the collector must be as it was before (it was {state}).", sent=sent,
              expected=f"gc.isenabled() → {enabled}", got=f"gc.isenabled() → {got['enabled_after']}",
              hint_zh="先记下 gc.isenabled()，在 finally 里只在原来开着时才 gc.enable()。",
              hint_en="Remember gc.isenabled() first; in finally, gc.enable() only if it was on.")
        equal(got["alive_after"], False, "survives_del 返回前应调用 gc.collect()，把实验里的循环回收掉。",
              "Before returning, survives_del must call gc.collect() so the experiment's cycle is reclaimed.", sent=sent,
              hint_zh="在 finally 里调用 gc.collect()。", hint_en="Call gc.collect() in a finally block.")


# -- small integers and interned strings -----------------------------------------------------------

def test_small_int_pool(learner):
    rng = random.Random(SEED + 2)
    numbers = list(range(-12, 270)) + [rng.randint(-10**6, 10**6) for _ in range(30)] + [10**20, -(10**20)]
    got = learner.call("small_ints", numbers)
    for n, answer in zip(numbers, got, strict=True):
        shared = int(str(n)) is int(str(n))  # this interpreter's own answer, not a rule written here
        check(answer == {"value": shared}, "is_small_int 的回答不对：小整数对象池是 [-5, 257)，即 -5 到 256。",
              "is_small_int answered wrong: the small-integer pool is [-5, 257), i.e. -5 to 256.",
              sent=f"is_small_int({n})  (seed={SEED + 2})", expected=shared, got=answer.get("value", answer),
              hint_zh="注意 257 不在池里。", hint_en="Note that 257 is not in the pool.")


ALPHABET = "abXZ09_ !-é中"
TEXTS = ["", "a", "!", "é", "中", "mark", "hello zzy", "hello_zzy", "1abc", "abc!", "中文", "Ā", "__init__",
         "ÿ", "a~b", "x`y", "{z}", "a|b"]  # U+00FF, the last one below U+0100; ASCII after "_" that is no word character


def test_interned_strings(learner):
    rng = random.Random(SEED + 3)
    texts = TEXTS + ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 6))) for _ in range(80)]
    got = learner.call("interned", texts)
    for text, answer in zip(texts, got, strict=True):
        # Two separately compiled literals: this interpreter's own answer, not a rule written here.
        shared = eval(repr(text)) is eval(repr(text))  # noqa: S307 (our own literal)
        check(answer == {"value": shared},
              "is_auto_interned 的回答不对：空字符串、一个 U+0100 以下的字符、只含 ASCII 字母/数字/下划线的字符串会被共用。",
              "is_auto_interned answered wrong: the empty string, one character below U+0100, and strings of only ASCII "
              "letters, digits and underscores are shared.",
              sent=f"is_auto_interned({text!r})  (seed={SEED + 3})", expected=shared, got=answer.get("value", answer),
              hint_zh="\"hello zzy\" 有空格，不共用；\"1abc\" 虽然不是合法标识符，但只含字母和数字，会共用。",
              hint_en="\"hello zzy\" has a space: not shared; \"1abc\" is not an identifier but has only letters and "
                      "digits: shared.")


# -- mark and sweep --------------------------------------------------------------------------------

def reachable_garbage(objects, refs, roots):
    """The trusted answer: objects not reachable from the roots."""
    alive, todo = set(), list(roots)
    while todo:
        name = todo.pop()
        if name not in alive:
            alive.add(name)
            todo.extend(refs.get(name, ()))
    return sorted(set(objects) - alive)


def graph_text(objects, refs, roots):
    return f"garbage(objects={objects!r}, refs={refs!r}, roots={roots!r})"


def run_garbage(learner, cases, sent_prefix=""):
    results = learner.call("garbage", [[o, r, s] for _, o, r, s in cases])
    for (label, objects, refs, roots), got in zip(cases, results, strict=True):
        sent = f"{sent_prefix}{label}\n{graph_text(objects, refs, roots)}"
        if got["error"]:
            crashed(got["error"], sent)
        check("result" in got, "garbage(...) 应返回一个集合 set。", "garbage(...) must return a set.", sent=sent,
              got=f"{got['type']}: {got.get('repr')}")
        equal(got["result"], reachable_garbage(objects, refs, roots),
              "回收的对象不对：垃圾是从 roots 出发沿着引用走不到的对象（不管它们有没有被别的对象引用）。",
              "Wrong objects collected: garbage is what cannot be reached from the roots by following references "
              "(whether or not other objects refer to it).", sent=sent,
              hint_zh="标记：从 roots 出发，把能走到的对象都标记为存活；清除：剩下的都是垃圾。",
              hint_en="Mark: from the roots, mark every object you can reach as alive; sweep: the rest is garbage.")
    return results


NOTES = [
    ("# 笔记情况1：a、b 互相引用，只 del a（b 还有名字引用）/ notes case 1: a <-> b, only a deleted",
     ["a", "b"], {"a": ["b"], "b": ["a"]}, ["b"]),
    ("# 笔记情况2：c、d 互相引用，c、d 都 del 了 / notes case 2: c <-> d, both deleted",
     ["c", "d"], {"c": ["d"], "d": ["c"]}, []),
]


def test_garbage_notes_examples(learner):
    run_garbage(learner, NOTES)


SPECIAL = [
    ("# 不可达的自环 / an unreachable self-loop", ["r", "s"], {"s": ["s"]}, ["r"]),
    ("# 根自己引用自己 / a root referring to itself", ["r"], {"r": ["r"]}, ["r"]),
    ("# 从根可达的环 / a cycle reachable from a root", ["r", "a", "b"], {"r": ["a"], "a": ["b"], "b": ["a"]}, ["r"]),
    ("# 孤立的环 / an isolated cycle", ["r", "c", "d", "e"], {"c": ["d"], "d": ["e"], "e": ["c"]}, ["r"]),
    ("# 不可达的链指向可达的对象 / an unreachable chain into a reachable object",
     ["x", "y", "r", "z"], {"x": ["y"], "y": ["r"], "r": ["z"]}, ["r"]),
    ("# 重复的引用、没有根 / repeated references, no roots", ["p", "q"], {"p": ["q", "q"]}, []),
    ("# 两个根，一个环跨过它们 / two roots and a cycle across them",
     ["r1", "r2", "m", "n", "g"], {"r1": ["m"], "m": ["r2"], "r2": ["n"], "n": ["r1"], "g": ["m"]}, ["r1", "r2"]),
    ("# 空图 / an empty graph", [], {}, []),
]


def test_garbage_special_cases(learner):
    run_garbage(learner, SPECIAL)


GRAPHS = 300


def random_graph(rng):
    """Up to 12 objects, random references (self-loops and repeats included), up to 3 roots."""
    names = [f"o{i}" for i in range(rng.randint(0, 12))]
    refs = {}
    for name in names:
        if rng.random() < 0.7:
            refs[name] = [rng.choice(names) for _ in range(rng.randint(0, 3))]
    roots = rng.sample(names, k=rng.randint(0, min(3, len(names))))
    return names, refs, roots


def test_garbage_generated_graphs(learner):
    rng = random.Random(SEED)
    cases = [(f"# 随机图 / random graph {i + 1}/{GRAPHS} (seed={SEED})", *random_graph(rng)) for i in range(GRAPHS)]
    run_garbage(learner, cases)


def test_garbage_long_chains(learner):
    n = 8000  # longer than the sandbox recursion limit (3000), so recursive marking fails
    got = learner.call("garbage_chains", n)
    sent = (f"objects = r0..r{n - 1} + u0..u{n - 1}; refs: r0 → r1 → … → r{n - 1}, u0 → u1 → … → u{n - 1}; roots = ['r0']\n"
            "garbage(objects, refs, roots)")
    if got["error"]:
        crashed(got["error"], sent)
    check("result" in got, "garbage(...) 应返回一个集合 set。", "garbage(...) must return a set.", sent=sent,
          got=f"{got['type']}: {got.get('repr')}")
    expected = sorted(f"u{i}" for i in range(n))
    check(got["result"] == expected, f"长链：应回收 u0..u{n - 1} 这 {n} 个对象，r 链全部存活。",
          f"Long chains: the {n} objects u0..u{n - 1} must be collected and the whole r chain kept.", sent=sent,
          expected=f"{n} 个 / objects u0..u{n - 1}", got=f"{len(got['result'])} 个 / objects: {got['result'][:10]}…")


def test_garbage_leaves_input_alone(learner):
    rng = random.Random(SEED + 1)
    cases = [(f"# 随机图 / random graph (seed={SEED + 1})", *random_graph(rng)) for _ in range(20)] + SPECIAL
    results = run_garbage(learner, cases)
    for (label, objects, refs, roots), got in zip(cases, results, strict=True):
        check(not got["changed"], "garbage 不能修改传进来的 objects、refs、roots。",
              "garbage must not change the objects, refs or roots it is given.",
              sent=f"{label}\n{graph_text(objects, refs, roots)}", got=f"调用后 / afterwards: {got.get('input_after')}",
              hint_zh="用自己的集合记录已标记的对象，不要从 refs 里删除。",
              hint_en="Keep your own set of marked objects; do not delete from refs.")
