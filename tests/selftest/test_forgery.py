"""Class 1 attacks: learner code tries to forge what the probe reports.

What a learner's process says of itself can be changed by the learner's code, so facts that
decide a verdict are either heard only from the process that must say them (the result
channel tells the writer's pid) or measured outside the sandbox (CPU time from the kernel).
"""
import re
import textwrap

from grader.sandbox.process import LearnerProcess
from support import REPO, grade, submission

FORGE = textwrap.dedent("""
    import marshal, os, stat

    def forged_frame():
        payload = marshal.dumps(("ok", "forged"), 4)
        return len(payload).to_bytes(8, "big") + payload

    def channels():
        for name in os.listdir("/proc/self/fd"):
            fd = int(name)
            try:
                if fd >= 3 and stat.S_ISSOCK(os.fstat(fd).st_mode):
                    yield fd
            except OSError:
                pass
""")


def run_learner(tmp_path, source: str) -> tuple[tuple, LearnerProcess]:
    (tmp_path / "mod.py").write_text(FORGE + textwrap.dedent(source), encoding="utf-8")
    (tmp_path / "probe.py").write_text('"""nothing: the learner\'s function is called directly"""\n', encoding="utf-8")
    proc = LearnerProcess(files={"mod.py": tmp_path / "mod.py"}, probe_path=tmp_path / "probe.py", function="mod:run")
    try:
        return proc.result(20), proc
    finally:
        proc.close()


def test_a_frame_written_by_a_forked_process_is_not_heard(tmp_path):
    outcome, proc = run_learner(tmp_path, """
        def run():
            pid = os.fork()
            if pid == 0:
                for fd in channels():
                    os.write(fd, forged_frame())
                os._exit(0)
            os.waitpid(pid, 0)
            return "honest"
    """)
    assert outcome == ("ok", "honest")
    assert proc.foreign_writers, "the forked writer was not noticed"


def test_replacing_the_serializer_or_os_write_changes_nothing(tmp_path):
    outcome, _ = run_learner(tmp_path, """
        _frame = forged_frame()
        marshal.dumps = lambda *args, **kwargs: _frame[8:]
        os.write = lambda fd, data: len(data)
        def run():
            return "honest"
    """)
    assert outcome == ("ok", "honest")


GIL = "threads/gil/gil.py"
SERIAL_PROCESSES = '''
def run_processes(func, n, times):
    for _ in range(times):
        p = multiprocessing.Process(target=func, args=(n,))
        p.start()
        p.join()
'''
CLOCK_FORGERY = '''
import resource as _resource, time as _time
_real_rusage, _real_clock = _resource.getrusage, _time.perf_counter


class _Usage:
    def __init__(self, real):
        self.ru_utime, self.ru_stime = real.ru_utime * 3, real.ru_stime * 3


_resource.getrusage = lambda who: _Usage(_real_rusage(who))
_time.perf_counter = lambda: _real_clock() / 2
'''


def _score(report) -> tuple[float, dict]:
    ex = report["exercises"][0]
    return ex["score"], {c["check"]: c["status"] for c in ex["checks"]}


def test_forged_cpu_and_clock_figures_gain_nothing(tmp_path):
    """A serial run_processes scores what it scores; replacing getrusage and the clock the
    probe reads inside the sandbox must not raise that score by a point."""
    reference = (REPO / "reference" / GIL).read_text(encoding="utf-8")
    honest = re.sub(r"def run_processes\(.*?\n\n\n", SERIAL_PROCESSES.lstrip() + "\n\n", reference, flags=re.S)
    assert honest != reference
    scores = {}
    for name, source in (("honest", honest), ("forged", honest + CLOCK_FORGERY)):
        impl = submission(tmp_path / name, {GIL: source}, base=None)
        run, report = grade(impl, tmp_path / f"out-{name}", "threads/gil")
        assert report is not None, run.stdout[-2000:] + run.stderr[-2000:]
        scores[name] = _score(report)
    assert scores["forged"][0] <= scores["honest"][0], scores
    assert scores["forged"][1]["test_processes_use_several_cores"] in ("failed", "skipped"), scores


DEMAND_FORGERY = '''
import sys as _sys


def _claims_two_at_once(spans):
    return 2.0


for _module in list(_sys.modules.values()):  # the probe's own figure of how many workers wanted a CPU
    if hasattr(_module, "_demand"):
        _module._demand = _claims_two_at_once
'''
WATCHED_TOO_LITTLE = "could not watch often enough"


def test_a_forged_demand_figure_does_not_turn_a_failure_into_a_skip(tmp_path):
    """A serial run_processes fails "several cores" (its workers never wanted two CPUs at
    once); claiming from inside that they did would only have made the check a skip ("machine
    too busy"), which takes it out of the maximum. The figure that decides is the suite's own."""
    reference = (REPO / "reference" / GIL).read_text(encoding="utf-8")
    serial = re.sub(r"def run_processes\(.*?\n\n\n", SERIAL_PROCESSES.lstrip() + "\n\n", reference, flags=re.S)
    forged = serial.replace("def run_processes(func, n, times):\n",
                            "def run_processes(func, n, times):\n    exec(DEMAND_FORGERY, globals())\n")
    impl = submission(tmp_path / "forged", {GIL: f"DEMAND_FORGERY = {DEMAND_FORGERY!r}\n" + forged}, base=None)
    run, report = grade(impl, tmp_path / "out", "threads/gil")
    assert report is not None, run.stdout[-2000:] + run.stderr[-2000:]
    check = next(c for c in report["exercises"][0]["checks"] if c["check"] == "test_processes_use_several_cores")
    # A skip is fair only when the suite itself could not watch (a machine too busy for it too).
    assert check["status"] == "failed" or WATCHED_TOO_LITTLE in (check.get("skip_reason") or ""), check


RACE = "threads/race/race.py"
RECORDER_FORGERY = '''

_run_threads = run_threads


def run_threads(counter, thread_count, times):
    _run_threads(counter, thread_count, times)
    total = thread_count * times
    for name in ("stats", "_value", "_open", "writers"):  # what an in-process recorder would hold
        try:
            setattr(counter, name, {"overlaps": 0, "final": total} if name == "stats" else total)
        except Exception:
            pass
    counter.write(total)  # the right total, written in by the main thread
    return total
'''


def test_rewriting_the_counter_record_gains_nothing(tmp_path):
    """threads/race keeps the counter on the suite's side: an unlocked solution that then
    rewrites the counter object it was handed, or writes the expected total itself, scores
    no more than the unlocked solution alone."""
    from grader import catalog
    from grader.mutants import submission as mutant_submission

    exercise = catalog.load()["threads/race"]
    no_lock = next(m for m in exercise.mutants if m.name == "no-lock")
    honest_dir = mutant_submission(exercise, no_lock, tmp_path / "honest")
    honest = (honest_dir / RACE).read_text(encoding="utf-8")
    scores = {}
    for name, source in (("honest", honest), ("forged", honest + RECORDER_FORGERY)):
        impl = submission(tmp_path / f"sub-{name}", {RACE: source}, base=None)
        run, report = grade(impl, tmp_path / f"out-{name}", "threads/race")
        assert report is not None, run.stdout[-2000:] + run.stderr[-2000:]
        scores[name] = _score(report)
    assert scores["forged"][0] <= scores["honest"][0], scores
