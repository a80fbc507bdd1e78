"""threads/gil: CPU-bound threads share one core; processes and GIL-free C code do not.

Every speed claim is a ratio of CPU time to wall time (how many cores the work kept busy),
never an absolute time, both measured by the suite from outside the sandbox: the time, and
the CPU time the kernel counted for the learner's whole process tree.  "At most one core" holds on any
machine, however loaded.  "More than one core" needs two free cores: the checks that claim
it give the learner's process a high scheduling priority for the measurement (as root:
its autogroup and its threads get nice -20, so other programs on the machine cannot crowd
it out), and take turns with other such measurements on the machine (a lock file).  A
solution fails them only when its workers never even wanted a CPU at the same time (a
figure from the kernel's schedstat that load does not change); when the workers did run
concurrently but the machine never gave them two cores, the check is skipped with a reason,
as it is on one core or without a C compiler.  Whether a C call releases the GIL is shown
without any timing ratio: a second thread either runs during the call or is frozen for all
of it.
"""
import contextlib
import fcntl
import os
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass

import pytest

from grader.feedback import check, equal
from kit.calls import raised

N = 4_000_000  # count_down(N): about 0.15 s of pure-Python work here
C_N = 80_000_000  # burn(C_N): about 0.2 s of C work here
# ms slept twice in measure's sleep test: over half a second each, so a "wall" of about 1.0 (the ratio of
# two perf_counter readings instead of their difference) is told from the time that passed
NAP = 600
READS = 4000  # read_zero(READS): 4000 reads of 1 MiB from /dev/zero, about 0.08 s of system time here
ONE_CORE_MAX = 1.2  # CPU/wall of GIL-bound threads: 1.0 at most (measured 0.97-1.0), plus noise
PARALLEL_MIN = 1.3  # CPU/wall that only two cores working at once can reach: shown
SERIAL_DEMAND = 1.4  # workers that wanted a CPU at once, on average: ~2 when concurrent, ~1 when not
ATTEMPTS = 5  # measurements at most; only a machine too busy to show two cores takes more than one
SAMPLE_EVERY = 0.005  # s between two readings of the program's tasks' schedstat (CpuWant)
MARK, DONE = "grader-mark", "grader-done"  # the probe's lines around each timed block / at its end
SLOT = "/var/tmp/grader-threads-gil.lock" if os.path.isdir("/var/tmp") else os.path.join(tempfile.gettempdir(), "grader-threads-gil.lock")
SLOT_WAIT = 60.0
C_SOURCE = "void burn(long n) { volatile long i; for (i = 0; i < n; i++) { } }\n"


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def need_two_cores():
    if cores() < 2:
        pytest.skip(f"本机只有 {cores()} 个 CPU 核，无法演示并行。 / This machine has {cores()} CPU core(s): parallelism "
                    "cannot be shown here.")


def boost(pid: int) -> list[str]:
    """Give the sandbox process a large CPU share: its autogroup (a session's share against
    other sessions; every sandbox process is a session of its own) and each of its threads
    (inherited by the threads and children it starts).  -20: with ten busy sessions around,
    -15 still left our two processes only about 1.5 cores."""
    done = []
    try:
        with open(f"/proc/{pid}/autogroup", "w") as f:
            f.write("-20")
        done.append("autogroup")
    except OSError:
        pass  # no autogroups here, or not root
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            os.setpriority(os.PRIO_PROCESS, int(tid), -20)
        done.append("threads")
    except OSError:
        pass  # not root: measured at normal priority
    return done


def boosted(learner, what, *args):
    """Run probe function `what` at high priority: start it, boost it once it is ready, let it go.

    Every timed block of the probe is measured here, outside the sandbox: at each of its mark
    lines the probe waits while the time and the kernel's CPU count of the whole tree are
    read, and meanwhile CpuWant watches how many of its tasks want a CPU. Those figures
    replace the probe's own, which the learner's code could change."""
    with learner.program("boosted", what, *args) as prog, CpuWant(prog) as want:
        prog.expect("ready", "测量程序没有启动。", "The measuring probe did not start.")
        boost(prog.pid)
        prog.type_line("go")
        marks = []
        while prog.stdout.wait_for(lambda text: text.count(MARK) > len(marks) or DONE in text, prog.timeout):
            if prog.stdout.text().count(MARK) <= len(marks):
                break  # the probe is done
            marks.append(Mark(time.monotonic(), prog.cpu_seconds()))
            # At a block's end the probe hears the figures measured here, so that it measures
            # again when the machine, not the code, held it back (never on its own figures).
            if len(marks) % 2 == 0:
                start, end = marks[-2:]
                demand = want.between(start.at, end.at)
                prog.type_line(f"{_ratio(start, end)} {'?' if demand is None else demand}")
            else:
                prog.type_line("go")
        got = prog.result()
    return _measured_outside(got, marks, want)


class CpuWant:
    """How many of a program's tasks wanted a CPU at once, seen from outside the sandbox.

    A thread of the suite reads every task's schedstat (time on a CPU plus time waiting in a
    run queue) every few milliseconds: over one interval, a task that ran or waited all along
    counts 1. A block's figure is the average over its intervals in which some task wanted a
    CPU: about 1 for workers that run one after the other or take turns on the GIL, about 2
    for two at once, however busy the machine is (waiting for a CPU is wanting one)."""

    def __init__(self, prog):
        self.prog = prog
        self.samples: list[tuple[float, float]] = []  # (when, tasks wanting a CPU over the interval before)
        self._last: dict[tuple[int, str], int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="gil-cpu-want", daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(5)

    def _run(self):
        with contextlib.suppress(OSError):  # sampled on time even on a busy machine (root only)
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), -20)
        before = time.monotonic()
        while not self._stop.wait(SAMPLE_EVERY):
            now, wanting = time.monotonic(), 0.0
            for pid in self.prog.pids():
                try:
                    tids = os.listdir(f"/proc/{pid}/task")
                except OSError:
                    continue
                for tid in tids:
                    try:
                        with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                            run, wait = f.read().split()[:2]
                    except (OSError, ValueError):
                        continue
                    ns, key = int(run) + int(wait), (pid, tid)
                    if key in self._last:
                        wanting += min(1.0, (ns - self._last[key]) / 1e9 / (now - before))
                    self._last[key] = ns
            self.samples.append((now, wanting))
            before = now

    def between(self, start: float, end: float) -> float | None:
        """The block's figure, or None when the samples cover less than half of it (this
        suite's thread did not get a CPU often enough to watch: a figure not seen is never
        taken for a serial solution)."""
        inside = [(at, w) for at, w in self.samples if start < at <= end]
        seen = sum(min(b - a, 3 * SAMPLE_EVERY) for (a, _), (b, _) in zip(inside, inside[1:], strict=False))
        if end <= start or seen < 0.5 * (end - start):
            return None
        busy = [w for _, w in inside if w >= 0.5]
        return round(sum(busy) / len(busy), 3) if busy else 0.0


@dataclass(frozen=True)
class Mark:
    """One outside reading at a mark of the probe: the time, and the tree's CPU seconds."""

    at: float
    cpu: float


def _ratio(start: Mark, end: Mark) -> float:
    wall = end.at - start.at
    return round((end.cpu - start.cpu) / wall, 3) if wall > 0 else 0.0


def _measured_outside(value, marks, want: CpuWant):
    """The probe's result with every timed block's figures taken from the marks around it."""
    if isinstance(value, dict):
        block = value.get("block")
        if isinstance(block, int) and "cpu" in value and 0 <= block and 2 * block + 1 < len(marks):
            start, end = marks[2 * block], marks[2 * block + 1]
            wall, cpu = end.at - start.at, end.cpu - start.cpu
            value = {**value, "wall": round(wall, 4), "cpu": round(cpu, 4), "ratio": _ratio(start, end)}
            if "demand" in value:
                value["demand"] = want.between(start.at, end.at)
            return value
        return {key: _measured_outside(item, marks, want) for key, item in value.items()}
    if isinstance(value, list):
        return [_measured_outside(item, marks, want) for item in value]
    return value


@contextlib.contextmanager
def two_cores_slot():
    """One two-core measurement at a time on this machine.  Two boosted measurements (two
    grading runs at once) would only take cores from each other, so they take turns."""
    # O_NOFOLLOW: the path is shared by every run on the machine; never follow a planted link
    with os.fdopen(os.open(SLOT, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600), "r+") as lock:
        end = time.monotonic() + SLOT_WAIT
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > end:
                    pytest.skip(f"{SLOT_WAIT:g} 秒内没等到测量的机会（其他评分在占用）。 / No measuring slot within {SLOT_WAIT:g} s "
                                "(other gradings hold it).")
                time.sleep(0.05)  # polling the lock: flock has no timeout of its own
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def verdict(tries):
    """The measurement that decides: the first that showed two cores at work, else the first
    whose workers never wanted a CPU at the same time (a serial solution, whatever the load);
    otherwise the machine never gave us two cores, and the check is skipped."""
    for m in tries:
        if m["ratio"] >= PARALLEL_MIN:
            return m
    for m in tries:
        if m["demand"] is not None and m["demand"] <= SERIAL_DEMAND:
            return m
    best = max(m["ratio"] for m in tries)
    if all(m["demand"] is None for m in tries):
        pytest.skip(f"本机现在太忙：{len(tries)} 次测量最多只用到了 {best:.2f} 个核，测试也没能及时观察各个工作者是否同时想要 CPU，"
                    f"无法判断。 / The machine is too busy right now: {len(tries)} measurements got at most {best:.2f} cores, "
                    "and the test could not watch often enough whether the workers wanted a CPU at the same time.")
    pytest.skip(f"本机现在太忙：{len(tries)} 次测量最多只用到了 {best:.2f} 个核（工作本身是同时进行的），无法演示并行。 / The "
                f"machine is too busy right now: {len(tries)} measurements got at most {best:.2f} cores (the work itself did "
                "run at the same time), so parallelism cannot be shown.")


def shown(m) -> str:
    demand = "?" if m["demand"] is None else m["demand"]
    return (f"CPU {m['cpu']} s / 墙上 / wall {m['wall']} s = {m['ratio']}；同时想要 CPU 的平均个数 / workers wanting a CPU at "
            f"once, on average: {demand}")


def tries_details(tries) -> str:
    return "测量 / measurements:\n" + "\n".join(shown(m) for m in tries)


@pytest.fixture(scope="module")
def burn_library():
    """libburn.so compiled from C_SOURCE, in a directory the sandbox user can read."""
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("本机没有 C 编译器（cc/gcc），跳过 ctypes 的检查。 / No C compiler (cc/gcc) here: the ctypes check is skipped.")
    folder = tempfile.mkdtemp(prefix="grader-gil-", dir="/var/tmp" if os.path.isdir("/var/tmp") else None)
    try:
        os.chmod(folder, 0o755)  # the sandbox runs as another user
        source = os.path.join(folder, "burn.c")
        with open(source, "w") as f:
            f.write(C_SOURCE)
        lib = os.path.join(folder, "libburn.so")
        run = subprocess.run([cc, "-O1", "-shared", "-fPIC", "-o", lib, source], capture_output=True, text=True, timeout=60)
        if run.returncode != 0:
            pytest.skip(f"C 编译失败，跳过 ctypes 的检查。 / Compiling C failed, the ctypes check is skipped: {run.stderr[-300:]}")
        os.chmod(lib, 0o755)
        yield lib
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# -- the runners ----------------------------------------------------------------------------------
def test_count_down_burns_cpu(learner):
    got = boosted(learner, "count_down_cpu", N // 4)
    sent = f"count_down({N // 4}) 和 / and count_down({N // 2})"
    for m in (got["one"], got["two"]):
        if m["error"]:
            raised(m["error"], sent=sent)
    one, two = got["one"]["cpu"], got["two"]["cpu"]
    check(one >= 0.01, "count_down(n) 几乎没用 CPU 时间：它应该是一个纯 Python 的循环，每次把 n 减 1，直到 0。",
          "count_down(n) used almost no CPU time: it must be a pure-Python loop taking 1 off n until it reaches 0.",
          sent=sent, expected=">= 0.01 s CPU", got=f"{one} s", hint_zh="while n > 0: n -= 1", hint_en="while n > 0: n -= 1")
    check(1.3 <= two / one <= 3.5, "count_down(2n) 用的 CPU 时间应约是 count_down(n) 的两倍。",
          "count_down(2n) must take about twice the CPU time of count_down(n).", sent=sent,
          expected="1.3 … 3.5", got=f"{two} s / {one} s = {two / one:.2f}")


def test_run_threads_runs_concurrently(learner):
    got = learner.call("threads_meet", 3)
    sent = "run_threads(task, 7, 3)；每个 task 等另外两个也开始运行（最多 2 秒） / each task waits (up to 2 s) for the other two to run"
    if got["error"]:
        raised(got["error"], sent=sent)
    hint = dict(hint_zh="threading.Thread(target=func, args=(n,))：target 是函数本身，不要写成 func(n)；先全部 start()，再全部 join()。",
                hint_en="threading.Thread(target=func, args=(n,)): target is the function itself, not func(n); start() them "
                        "all, then join() them all.")
    equal([got["calls"], got["args"]], [3, [7]], "func(n) 应正好被调用 times 次，参数是 n。",
          "func(n) must be called exactly `times` times, with n.", sent=sent, **hint)
    check(got["threads"] == 3 and got["in_caller"] == 0, "每次调用应在它自己的新线程里。", "Every call must run in a new thread of its own.",
          sent=sent, expected="3 个新线程 / new threads", got=f"{got['threads']} 个线程 / threads, {got['in_caller']} 在调用者线程 / in the caller's",
          **hint)
    equal(got["met"], 3, "3 个线程没有同时运行。", "The 3 threads did not run at the same time.", sent=sent, **hint)
    check(got["finished_at_return"] == 3 and got["left_running"] == 0, "run_threads 应等所有线程结束再返回。",
          "run_threads must return only after every thread ended.", sent=sent, **hint)


def test_run_processes_runs_concurrently(learner):
    got = learner.call("processes_meet", 3)
    sent = "run_processes(task, 3, 3)；每个 task 等另外两个也开始运行（最多 2 秒） / each task waits (up to 2 s) for the other two to run"
    if got["error"]:
        raised(got["error"], sent=sent)
    hint = dict(hint_zh="multiprocessing.Process(target=func, args=(n,))；先全部 start()，再全部 join()。",
                hint_en="multiprocessing.Process(target=func, args=(n,)); start() them all, then join() them all.")
    equal([got["calls"], got["args"]], [3, [3]], "func(n) 应正好被调用 times 次，参数是 n。",
          "func(n) must be called exactly `times` times, with n.", sent=sent, **hint)
    check(got["pids"] == 3 and got["in_parent"] == 0 and got["children_of_parent"] == 3,
          "每次调用应在调用者的一个新的子进程里。", "Every call must run in a new child process of the caller.", sent=sent,
          expected="3 个子进程 / child processes",
          got=f"{got['pids']} 个进程 / processes, {got['in_parent']} 在调用者里 / in the caller, {got['children_of_parent']} 是子进程 / children",
          **hint)
    equal(got["met"], 3, "3 个进程没有同时运行。", "The 3 processes did not run at the same time.", sent=sent, **hint)
    equal(got["ended"], 3, "run_processes 应等所有子进程结束再返回。", "run_processes must return only after every child ended.",
          sent=sent, **hint)


# -- the claims -----------------------------------------------------------------------------------
def test_gil_threads_use_one_core(learner):
    got = boosted(learner, "gil_threads", N, 2)
    sent = f"run_serial(count_down, {N}, 2) 和 / and run_threads(count_down, {N}, 2)，测 CPU 时间 / 墙上时间 / CPU time / wall time"
    for m in got.values():
        if m["error"]:
            raised(m["error"], sent=sent)
    serial, threads = got["serial"], got["threads"]
    check(threads["ratio"] <= ONE_CORE_MAX, "CPU 密集的 Python 代码放在两个线程里，因为有 GIL，同一时刻只能有一个线程运行，"
          "平均最多用满一个核。你的 run_threads 用到了更多的核：它真的用的是线程吗？",
          "With the GIL, CPU-bound Python code in two threads runs one thread at a time: one core at most on average. Your "
          "run_threads used more: does it really use threads?", sent=sent,
          expected=f"CPU/墙上时间 / CPU/wall <= {ONE_CORE_MAX}", got=f"{threads['cpu']} s / {threads['wall']} s = {threads['ratio']}",
          hint_zh="run_threads 要用 threading.Thread，不要用进程。", hint_en="run_threads must use threading.Thread, not processes.")
    equal([serial["calls"], threads["calls"]], [2, 2], "run_serial 和 run_threads 都应正好调用 count_down 两次（times = 2）。",
          "run_serial and run_threads must each call count_down exactly twice (times = 2).", sent=sent)


def test_processes_use_several_cores(learner):
    need_two_cores()
    with two_cores_slot():
        got = boosted(learner, "processes_cores", N, 2, PARALLEL_MIN, ATTEMPTS)
    sent = f"run_processes(count_down, {N}, 2)，测 CPU 时间（含子进程）/ 墙上时间 / CPU time (children included) / wall time"
    for m in got["tries"]:
        if m["error"]:
            raised(m["error"], sent=sent)
    m = verdict(got["tries"])
    check(m["ratio"] >= PARALLEL_MIN, "两个进程各有自己的解释器和 GIL，应同时在两个核上运行，但你的 run_processes 平均只用到了"
          f" {m['ratio']} 个核。", f"Two processes each have their own interpreter and GIL and must run on two cores at once, "
          f"but your run_processes kept only {m['ratio']} cores busy on average.", sent=sent,
          expected=f"CPU/墙上时间 / CPU/wall >= {PARALLEL_MIN}", got=shown(m), details=tries_details(got["tries"]),
          hint_zh="先 start() 所有进程，再逐个 join()；不要 start 一个 join 一个。",
          hint_en="start() every process first, then join() them; not start one, join it, start the next.")


CDLL_HINT = dict(hint_zh="用 ctypes.CDLL(path)（即笔记里的 cdll.LoadLibrary）：调用 C 函数时它会释放 GIL。"
                        "ctypes.PyDLL 调用期间一直持有 GIL，其他线程就不能运行。",
                 hint_en="Use ctypes.CDLL(path) (the notes' cdll.LoadLibrary): it releases the GIL while the C function runs. "
                         "ctypes.PyDLL keeps the GIL during the call, so no other thread can run.")


def test_c_call_releases_gil(learner, burn_library):
    learner.share(burn_library)
    got = boosted(learner, "c_releases_gil", burn_library, C_N)
    sent = f"一个线程调用 burn({C_N})（load_c_function 加载的），另一个线程同时不停地运行 Python 代码 / one thread calls burn({C_N}) " \
           "(loaded by load_c_function) while another keeps running Python code"
    if got.get("error"):
        raised(got["error"], sent=sent, **CDLL_HINT)
    check(got["finished"], "burn 在 9 秒内没有返回。", "burn did not return within 9 s.", sent=sent)
    check(got["longest_gap"] < 0.5 * got["seconds"], f"burn 运行的 {got['seconds']} 秒里，另一个线程有 {got['longest_gap']} 秒完全没能运行："
          "调用 C 函数时 GIL 没有释放。", f"During the {got['seconds']} s burn ran, the other thread could not run at all for "
          f"{got['longest_gap']} s: the GIL was not released during the C call.", sent=sent,
          expected=f"最长停顿 / longest stall < {0.5 * got['seconds']:.3f} s", got=f"{got['longest_gap']} s", **CDLL_HINT)


def test_c_threads_run_in_parallel(learner, burn_library):
    learner.share(burn_library)
    need_two_cores()
    with two_cores_slot():
        got = boosted(learner, "c_threads", burn_library, C_N, 2, PARALLEL_MIN, ATTEMPTS)
    sent = f"burn = load_c_function('{os.path.basename(burn_library)}', 'burn')；run_threads(burn, {C_N}, 2)" \
           f"（burn 是一个 C 的空循环 / burn is a C busy loop: {C_SOURCE.strip()}）"
    if got.get("load_error"):
        raised(got["load_error"], sent=sent)
    for m in [got["serial"], *got["tries"]]:
        if m["error"]:
            raised(m["error"], sent=sent)
    hint = CDLL_HINT
    serial = got["serial"]
    check(serial["cpu"] >= 0.03, "burn(n) 几乎没用 CPU 时间：load_c_function 返回的不是库里的 burn 函数？",
          "burn(n) used almost no CPU time: is load_c_function returning the library's burn function?", sent=sent,
          expected=">= 0.03 s CPU", got=f"{serial['cpu']} s", **hint)
    m = verdict(got["tries"])
    check(m["ratio"] >= PARALLEL_MIN, "C 代码不需要 GIL：两个线程调用它应同时用到两个核，但平均只用到了 "
          f"{m['ratio']} 个核。", f"C code needs no GIL: two threads calling it must keep two cores busy, but they "
          f"used only {m['ratio']} on average.", sent=sent, expected=f"CPU/墙上时间 / CPU/wall >= {PARALLEL_MIN}", got=shown(m),
          details=tries_details(got["tries"]), **hint)


# -- measure ------------------------------------------------------------------------------------
def test_measure_wall_and_cpu(learner):
    got = boosted(learner, "measured", N // 4, READS, NAP)
    sent = f"measure(run_serial, nap, {NAP}, 2)（nap 睡 {NAP} ms / sleeps {NAP} ms）；measure(run_processes, count_down, {N // 4}, 2)；" \
           f"measure(run_serial, read_zero, {READS}, 2)；measure(run_processes, read_zero, {READS}, 2)（read_zero 从 /dev/zero " \
           f"读 {READS} 次 1 MiB，几乎全是内核时间 / reads 1 MiB from /dev/zero {READS} times, almost all of it system time）"
    for key in ("sleep", "processes", "system", "system_children"):
        value = got[key]
        if isinstance(value, dict):
            raised(value["error"], sent=sent)
        check(isinstance(value, list) and len(value) == 2, "measure 应返回 (wall, cpu) 两个数。",
              "measure must return two numbers, (wall, cpu).", sent=sent, got=value)
    wall, cpu = got["sleep"]
    check(2 * NAP / 1000 - 0.02 <= wall <= 2 * NAP / 1000 + 2.0, f"睡两次 {NAP} ms，墙上时间应约 {2 * NAP / 1000:g} 秒。",
          f"Sleeping twice {NAP} ms, the wall time must be about {2 * NAP / 1000:g} s.",
          sent=sent, expected=f"{2 * NAP / 1000 - 0.02:g} … {2 * NAP / 1000 + 2.0:g} s", got=f"{wall} s", hint_zh="墙上时间用 time.perf_counter() 前后相减。",
          hint_en="Take the wall time as the difference of time.perf_counter() before and after.")
    check(cpu <= 0.08, "睡觉几乎不用 CPU：CPU 时间应接近 0，而不是墙上时间。", "Sleeping uses almost no CPU: the CPU time must be near 0, "
          "not the wall time.", sent=sent, expected="<= 0.08 s", got=f"{cpu} s",
          hint_zh="CPU 时间用 os.times() 的 user + system + children_user + children_system，前后相减。",
          hint_en="Take the CPU time from os.times(): user + system + children_user + children_system, after minus before.")
    _, cpu = got["processes"]
    reference = got["reference"]["cpu"]
    check(cpu >= 0.6 * reference, "在子进程里做的计算也要算进 CPU 时间（被 join 等待过的子进程）。",
          "Work done in child processes counts as CPU time too (children that were joined).", sent=sent,
          expected=f">= {0.6 * reference:.3f} s（串行做同样的计算用了 / the same work serially took {reference} s）",
          got=f"{cpu} s", hint_zh="time.process_time() 不包括子进程；用 os.times() 的 children_user 和 children_system。",
          hint_en="time.process_time() leaves children out; add os.times()'s children_user and children_system.")
    reference = got["system_reference"]["cpu"]
    low, high = 0.6 * reference, 1.5 * reference + 0.05
    for key, where_zh, where_en, part in (("system", "本进程", "this process", "system"),
                                          ("system_children", "子进程", "child processes", "children_system")):
        _, cpu = got[key]
        runner = "run_serial" if key == "system" else "run_processes"
        expected = f"{low:.3f} … {high:.3f} s（同样的读取用了 / the same reads took {reference} s of CPU）"
        check(cpu >= low, f"内核替进程做事的时间（system 时间，例如系统调用 read）也是 CPU 时间：measure({runner}, read_zero, "
              f"{READS}, 2) 在{where_zh}里读了 {2 * READS} 次 /dev/zero，CPU 时间却少得多。",
              f"Time the kernel spends working for a process (system time, e.g. the system call read) is CPU time too: "
              f"measure({runner}, read_zero, {READS}, 2) read /dev/zero {2 * READS} times in {where_en}, yet its CPU time "
              "is far lower.", sent=sent, expected=expected, got=f"{round(cpu, 4)} s",
              hint_zh=f"CPU 时间是 os.times() 的 user + system + children_user + children_system，前后相减；少了 {part} 就漏掉了"
                      "这部分内核时间。",
              hint_en=f"CPU time is os.times()'s user + system + children_user + children_system, after minus before; "
                      f"without {part} this kernel time is left out.")
        check(cpu <= high, f"measure({runner}, read_zero, {READS}, 2) 算出的 CPU 时间比这些读取实际用的多得多。",
              f"measure({runner}, read_zero, {READS}, 2) gave far more CPU time than the reads used.", sent=sent,
              expected=expected, got=f"{round(cpu, 4)} s",
              hint_zh="CPU 时间是调用之后的 user + system + children_user + children_system 减去调用之前的同一个和。",
              hint_en="CPU time is user + system + children_user + children_system after the call minus the same sum before it.")
