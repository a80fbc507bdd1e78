"""Submissions that attack the grader score 0 where they attack, and leave nothing behind."""
import pytest

from support import grade, submission

GEN = "advanced/generators/generators.py"
TCP = "tcp/basics/tcp_basics.py"
CORRECT_GEN = (__import__("grader").catalog.REPO / "reference" / GEN).read_text(encoding="utf-8")

ATTACKS = {
    "os-exit-at-import": "import os\nos._exit(0)\n",
    "systemexit-at-import": "raise SystemExit(0)\n",
    "loop-catching-baseexception": "while True:\n    try:\n        pass\n    except BaseException:\n        pass\n",
    "fork-storm": "import os\nwhile True:\n    try:\n        os.fork()\n    except BaseException:\n        pass\n",
    "memory-hog": "hog = []\nwhile True:\n    hog.append(bytearray(50 << 20))\n",
    "setsid-daemon": (
        "import os, time\n"
        "if os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n        time.sleep(3600)\n    os._exit(0)\n"
        "def fib(times):\n    time.sleep(3600)\n"
        "def drain(gen):\n    time.sleep(3600)\n"
        "def squares(n):\n    time.sleep(3600)\n"
    ),
    "kill-parent": "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\nos.kill(1, signal.SIGKILL)\n",
    "forge-results": (
        "import json, os, sys\n"
        "fake = {'score': 14, 'max_score': 14, 'percent': 100.0, 'tests': []}\n"
        "for d in ['..', '/work', '/tmp', os.path.expanduser('~'), '/autograder/results', 'grader-report']:\n"
        "    for name in ['report.json', 'results.json']:\n"
        "        try:\n            open(os.path.join(d, name), 'w').write(json.dumps(fake))\n"
        "        except OSError:\n            pass\n"
        "print('=' * 20, '12 passed in 0.10s', '=' * 20)\n"
        "print('TOTAL 14 / 14 (100%)')\n"
        "sys.stdout.flush()\n"
        "os._exit(0)\n"
    ),
    # a few hundred bytes whose shared sub-values expand to 2**90 nodes, written by the main
    # process straight onto the result channel: refused at once, in time linear in its size
    "shared-reference-bomb": (
        "import marshal, os, stat\n"
        "v = [1]\n"
        "for _ in range(90):\n"
        "    v = [v, v]\n"
        "payload = marshal.dumps(('ok', v), 4)\n"
        "frame = len(payload).to_bytes(8, 'big') + payload\n"
        "for name in os.listdir('/proc/self/fd'):\n"
        "    try:\n"
        "        if int(name) >= 3 and stat.S_ISSOCK(os.fstat(int(name)).st_mode):\n"
        "            os.write(int(name), frame)\n"
        "    except OSError:\n"
        "        pass\n"
        "os._exit(0)\n"
    ),
    "stdout-flood": "import sys\nwhile True:\n    sys.stdout.write('x' * 65536)\n",
    "patch-pytest": (
        "import sys, builtins\n"
        "try:\n    import _pytest.outcomes as o\n    o.fail = lambda *a, **k: None\nexcept Exception:\n    pass\n"
        "builtins.AssertionError = type('Never', (Exception,), {})\n"
        "raise SystemExit('pretend')\n"
    ),
}


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_attack_scores_zero_and_leaves_nothing(tmp_path, validate_report, name):
    impl = submission(tmp_path / "sub", {GEN: ATTACKS[name]}, base=None)
    run, report = grade(impl, tmp_path / "out", "advanced/generators")
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    validate_report(report)
    ex = report["exercises"][0]
    assert ex["score"] == 0 and all(c["status"] == "failed" for c in ex["checks"]), [
        (c["name"], c["status"]) for c in ex["checks"]]
    assert report["left_running"] == []
    # whatever the learner printed, the headline comes from the verdict
    assert (tmp_path / "out" / "summary.md").read_text().startswith("## 评分结果 / Grading result: 0 /")


def test_attack_in_one_exercise_does_not_touch_another(tmp_path):
    impl = submission(tmp_path / "sub", {GEN: ATTACKS["fork-storm"]})
    run, report = grade(impl, tmp_path / "out", "advanced/generators", "tcp/basics", extra=["-n", "2"])
    scores = {e["id"]: (e["score"], e["max_score"]) for e in report["exercises"]}
    assert scores["advanced/generators"][0] == 0
    assert scores["tcp/basics"][0] == scores["tcp/basics"][1]
    assert report["left_running"] == []


def test_server_that_accepts_and_never_answers_hangs_cheaply(tmp_path):
    from grader.generate import hanging_module

    stub = (__import__("grader").catalog.REPO / "exercises" / TCP).read_text()
    impl = submission(tmp_path / "sub", {TCP: hanging_module(stub, ["serve_once"])}, base=None)
    run, report = grade(impl, tmp_path / "out", "tcp/basics")
    ex = report["exercises"][0]
    assert ex["score"] == 0
    hung = [c for c in ex["checks"] if c["feedback"]["kind"] == "hung"]
    assert len(hung) == len(ex["checks"])
    # a hang costs only what hangs: the first hung check waits out the timeout, the later
    # ones still run, each with a shortened limit, and the whole stays within the budget
    from grader import catalog

    entry = catalog.load()["tcp/basics"]
    cap = max(1.0, entry.timeout / 3)
    first = max(ex["checks"], key=lambda c: c["duration_s"])
    assert first["duration_s"] >= entry.timeout
    later = [c for c in ex["checks"] if c is not first]
    assert all(c["duration_s"] <= cap + 3.0 for c in later), [(c["check"], c["duration_s"]) for c in later]
    assert any("waited only" in c["feedback"]["en"] for c in later)
    assert sum(c["duration_s"] for c in ex["checks"]) <= entry.budget + 10
    slow = first
    assert "stacks when stuck" in slow["feedback"]["details"] and "accept" in slow["feedback"]["details"]
    assert report["left_running"] == []
