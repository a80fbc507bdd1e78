"""Sandbox v2: learner code sees only its own files, reaches no other run, leaves nothing.

Each attack starts from the stub (an honest solution that scores 0) and must not score more,
must finish within the exercise's budget, and must leave no process, IPC object or file.
These need the full sandbox (root, bubblewrap, cgroups); without it they are skipped with
the reason the grader gives.
"""
import json
import os
import socket
import time

import pytest

from grader import catalog
from support import REPO, grade, submission

GEN = "advanced/generators/generators.py"
STUB = (REPO / "exercises" / GEN).read_text(encoding="utf-8")


def full_sandbox(report: dict):
    if "NOT ACTIVE" in report["sandbox"]:
        pytest.skip("full sandbox not active here / 此机器上沙箱不完整: " + report["sandbox"])


def run_attack(tmp_path, source: str, validate_report):
    impl = submission(tmp_path / "sub", {GEN: source + "\n" + STUB}, base=None)
    start = time.monotonic()
    run, report = grade(impl, tmp_path / "out", "advanced/generators")
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    validate_report(report)
    full_sandbox(report)
    ex = report["exercises"][0]
    assert ex["score"] == 0, [(c["name"], c["status"]) for c in ex["checks"]]
    assert time.monotonic() - start < catalog.load()["advanced/generators"].budget + 30
    assert report["left_running"] == []
    assert leftovers() == []
    return report


KEYS = (0x47524144, 0x47524145, 0x47524146)  # the SysV keys the attacks use
NAMES = ("grader-leftover", "grader-fill")  # the files they write


def leftovers() -> list[str]:
    """What the attacks try to leave: SysV IPC objects (by key) and files (by name) in the
    host's world-writable places. Named, not found by owner: other runs are going on."""
    found = []
    for kind in ("shm", "msg", "sem"):
        try:
            with open(f"/proc/sysvipc/{kind}") as f:
                head, *rows = f.read().splitlines()
        except OSError:
            continue
        key_col = head.split().index("key")
        found += [f"sysv {kind}: {r.split()[:3]}" for r in rows if int(r.split()[key_col]) in KEYS]
    for top in ("/tmp", "/var/tmp", "/dev/shm", "/run/lock", "/dev/mqueue"):
        found += [os.path.join(top, n) for n in NAMES if os.path.lexists(os.path.join(top, n))]
    return found


def test_reference_and_hidden_suites_are_out_of_sight(tmp_path, validate_report):
    """The classic: a stub that finds the reference on disk and runs it."""
    attack = f"""
import glob, os
_found = []
for _root in [{str(REPO)!r}, "/work", "/root", "/home", "/"]:
    _found += glob.glob(os.path.join(_root, "**/reference/advanced/generators/generators.py"), recursive=True)[:1]
    _found += glob.glob(os.path.join(_root, "**/tests/advanced/generators/test_*.py"), recursive=True)[:1]
    if _found:
        break
for _pid in os.listdir("/proc"):  # other graders' command lines name their submissions
    try:
        _found += [p for p in open(f"/proc/{{_pid}}/cmdline").read().split("\\0") if p.endswith("reference")]
    except OSError:
        pass
for _path in _found:
    try:
        if _path.endswith("generators.py"):
            exec(open(_path).read())
            raise SystemExit("unreachable: the reference was read")
    except OSError:
        pass
"""
    run_attack(tmp_path, attack, validate_report)


def test_ipc_objects_and_scratch_files_do_not_survive(tmp_path, validate_report):
    attack = """
import ctypes, os
_libc = ctypes.CDLL(None, use_errno=True)
_libc.shmget(0x47524144, 4096, 0o1000 | 0o666)   # IPC_CREAT
_libc.msgget(0x47524145, 0o1000 | 0o666)
_libc.semget(0x47524146, 1, 0o1000 | 0o666)
for _d in ("/tmp", "/var/tmp", "/dev/shm", "/run/lock", "/var/lock"):
    try:
        with open(os.path.join(_d, "grader-leftover"), "w") as _f:
            _f.write("for the next learner")
    except OSError:
        pass
"""
    run_attack(tmp_path, attack, validate_report)


def test_filling_scratch_space_is_bounded(tmp_path, validate_report):
    attack = """
import os
for _d in ("/dev/shm", "/tmp", "/var/tmp"):
    try:
        with open(os.path.join(_d, "grader-fill"), "wb") as _f:
            for _ in range(1 << 14):  # up to 16 GiB, 1 MiB at a time
                _f.write(b"x" * (1 << 20))
    except OSError:
        pass
"""
    report = run_attack(tmp_path, attack, validate_report)
    assert report["duration_s"] < 120


def test_other_runs_are_out_of_reach(tmp_path, validate_report):
    """A server of this (another) run listens on loopback; the learner knows its port and
    tries to connect and to send datagrams to it. Nothing may arrive."""
    with socket.socket() as tcp, socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        tcp.bind(("127.0.0.1", 0))
        tcp.listen(16)
        udp.bind(("127.0.0.1", 0))
        attack = f"""
import socket
for _ in range(3):
    try:
        socket.create_connection(("127.0.0.1", {tcp.getsockname()[1]}), timeout=1).sendall(b"x")
    except OSError:
        pass
    try:
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("127.0.0.1", {udp.getsockname()[1]}))
    except OSError:
        pass
_tcp = open("/proc/net/tcp").read()
if ":{tcp.getsockname()[1]:04X} " in _tcp:
    raise SystemExit("saw the other run's listening socket")
"""
        run_attack(tmp_path, attack, validate_report)
        tcp.setblocking(False)
        udp.setblocking(False)
        with pytest.raises(BlockingIOError):
            tcp.accept()
        with pytest.raises(BlockingIOError):
            udp.recvfrom(16)


def test_protections_are_announced(tmp_path):
    impl = submission(tmp_path / "sub", {}, base="reference")
    run, report = grade(impl, tmp_path / "out", "advanced/generators")
    full_sandbox(report)
    for part in ("own uid", "network: own namespace, only lo", "own mount namespace", "pids + memory cgroup"):
        assert part in report["sandbox"], report["sandbox"]
        assert part in run.stdout, run.stdout[:2000]
    assert json.loads((tmp_path / "out" / "report.json").read_text())["sandbox"] == report["sandbox"]


SELECT = "tcp/select-server/select_server.py"
THREADED = (REPO / "reference" / "tcp" / "multithread-server" / "mt_server.py").read_text(encoding="utf-8").replace(
    'print(f"客户端{addr}退出", flush=True)', 'print(f"客户端{addr}已退出！", flush=True)')
HIDDEN_IN_GRANDCHILD = THREADED.replace("def serve(host, port):", "def _serve(host, port):") + '''

def serve(host, port):
    import os
    import time
    if os.fork() == 0:  # double fork: the thread-per-client server leaves the tree
        if os.fork() == 0:
            _serve(host, port)
        os._exit(0)
    os.wait()
    while True:
        time.sleep(3600)
'''


def test_a_double_forked_server_is_still_counted(tmp_path, validate_report):
    """The "one process, one thread" check counts every process of the learner's tree (its
    cgroup), not only the descendants of its first process: a thread-per-client server
    hidden in a double-forked grandchild scores no more than the same server run openly."""
    scores = {}
    for name, source in (("honest", THREADED), ("hidden", HIDDEN_IN_GRANDCHILD)):
        impl = submission(tmp_path / name, {SELECT: source}, base=None)
        run, report = grade(impl, tmp_path / f"out-{name}", "tcp/select-server")
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
        validate_report(report)
        full_sandbox(report)
        assert report["left_running"] == []
        checks = {c["check"]: c["status"] for c in report["exercises"][0]["checks"]}
        assert checks["test_one_thread_one_process"] == "failed", (name, checks)
        scores[name] = report["score"]
    assert scores["hidden"] <= scores["honest"], scores


def test_a_hang_with_many_deaf_processes_is_reported_quickly(tmp_path, validate_report):
    """Hundreds of processes that ignore the stack-dump signal: the hang report is bounded
    (a dozen processes, two seconds) instead of half a second for each of them."""
    attack = """
import os, signal, time
signal.signal(signal.SIGUSR1, signal.SIG_IGN)
for _ in range(120):
    if os.fork() == 0:
        time.sleep(3600)
        os._exit(0)
time.sleep(3600)
"""
    report = run_attack(tmp_path, attack, validate_report)
    budget = catalog.load()["advanced/generators"].budget
    assert report["duration_s"] < budget + 15, report["duration_s"]
    hung = [c for c in report["exercises"][0]["checks"] if (c["feedback"] or {}).get("kind") == "hung"]
    assert hung and any("more processes not shown" in (c["feedback"].get("details") or "") for c in hung)
