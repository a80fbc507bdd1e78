"""Runs in the sandbox beside the learner's process_basics.py; returns plain values only.

Every fork is recorded from inside the new process (its pid and the pid that forked it)
through a pipe of ours, and the targets the probe hands to the learner's code report
through it too: who ran them, with which arguments, under which name.  File descriptor 1
is captured for the call, so the lines printed by every process are kept.
"""
import importlib
import json
import multiprocessing
import os
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback


class ProcessAtImport(RuntimeError):
    """Learner code tried to start a process while its module was being imported."""


def _import_learner(name):
    """Import the learner's module with os.fork refused: a module that starts processes when it
    is imported would deadlock on the import lock in its children, or run the probe twice."""
    real = os.fork

    def refuse():
        raise ProcessAtImport(
            f"导入 {name} 时就启动了进程：你忘了 if __name__ == '__main__':，你的代码会在每个新启动（spawn）的子进程里重新运行。"
            f" / Importing {name} started a process: you forgot if __name__ == '__main__':, your code re-runs in every "
            "spawned child.")

    os.fork = refuse
    try:
        return importlib.import_module(name)
    finally:
        os.fork = real


_REC_R, _REC_W = os.pipe()
_forking = [0]  # pid of the process calling fork, set just before; the child inherits the value


def _before():
    _forking[0] = os.getpid()


def _in_child():
    _note({"fork": [os.getpid(), _forking[0]]})


os.register_at_fork(before=_before, after_in_child=_in_child)

process_basics = _import_learner("process_basics")

SETTLE = 2.0  # how long a process may take to end or be reaped
TOGETHER = 2.0  # how long each of three processes waits for the other two to be running too
DAEMON_EXIT = 3.0  # how long the main process of the daemon check may take to exit


def _note(record):
    try:
        os.write(_REC_W, (json.dumps(record) + "\n").encode())
    except OSError:
        pass


def _describe(exc):
    tb = traceback.format_exc().replace(os.getcwd() + os.sep, "")
    if len(tb) > 3000:  # keep the end, from a line start: the learner's frames are last
        tb = "...\n" + tb[-3000:].split("\n", 1)[-1]
    return {"type": type(exc).__name__, "message": str(exc)[:500], "traceback": tb}


def state(pid):
    """'gone' (reaped), 'zombie' (ended, never reaped) or 'running' (any other state)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            code = f.read().rsplit(b")", 1)[1].split()[0]
    except (OSError, IndexError):
        return "gone"
    return "zombie" if code in (b"Z", b"X") else "running"


def _plain(value):
    if isinstance(value, (type(None), bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return repr(value)


def _records(deadline):
    os.close(_REC_W)
    data = bytearray()
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([_REC_R], [], [], left)[0]:
            break
        chunk = os.read(_REC_R, 65536)
        if not chunk:
            break
        data += chunk
    out = []
    for line in data.decode("utf-8", "replace").splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            pass
    return out


def _call(fn, *args):
    """fn(*args) with fd 1 captured; returns value, error, printed lines, records, process states."""
    me = os.getpid()
    sys.stdout.flush()
    fd, path = tempfile.mkstemp(prefix="stdout-")
    os.close(fd)
    out = os.open(path, os.O_WRONLY | os.O_APPEND)  # O_APPEND: processes sharing it never overwrite each other
    saved = os.dup(1)
    os.dup2(out, 1)
    os.close(out)
    value = error = None
    try:
        value = fn(*args)
    except BaseException as exc:
        error = _describe(exc)
    if os.getpid() != me:  # cannot happen with multiprocessing; stop it if it does
        os._exit(1)
    sys.stdout.flush()
    os.dup2(saved, 1)
    os.close(saved)
    records = _records(time.monotonic() + SETTLE)
    forks = [r["fork"] for r in records if "fork" in r]
    states = {pid: state(pid) for pid, _ in forks}
    end = time.monotonic() + SETTLE
    while any(s == "running" for s in states.values()) and time.monotonic() < end:
        time.sleep(0.02)  # polling the process table: a child nobody joins turns zombie when it ends
        states = {pid: state(pid) for pid in states}
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = f.read().splitlines()
    return {"value": _plain(value), "error": error, "lines": lines, "me": me, "forks": forks,
            "calls": [r["call"] for r in records if "call" in r], "states": states}


# -- start_three -----------------------------------------------------------------------------
def start_three():
    barrier = multiprocessing.Barrier(3)

    def show_info(name, age):
        try:
            barrier.wait(TOGETHER)
            together = True
        except threading.BrokenBarrierError:
            together = False
        _note({"call": {"name": name, "age": age, "pid": os.getpid(), "ppid": os.getppid(),
                        "process_name": multiprocessing.current_process().name, "together": together}})

    return _call(process_basics.start_three, show_info)


# -- MyProcess -------------------------------------------------------------------------------
def my_process(n, name):
    def run():
        p = process_basics.MyProcess(n) if name is None else process_basics.MyProcess(n, name=name)
        p.start()
        p.join(SETTLE + 3)
        return {"pid": p.pid, "exitcode": p.exitcode, "name": p.name}

    return _call(run)


# -- stop_forever ----------------------------------------------------------------------------
def _forever():
    _note({"call": {"pid": os.getpid()}})
    while True:
        time.sleep(0.05)


def stop_forever():
    return _call(process_basics.stop_forever, _forever)


# -- start_daemon ----------------------------------------------------------------------------
_DAEMON_MAIN = """
import os, sys, time
sys.path.insert(0, os.getcwd())
import process_basics

def forever():
    while True:
        time.sleep(0.05)

pid = process_basics.start_daemon(forever)
print("DAEMON", pid, flush=True)
# the end of the main program: the interpreter exits normally here
"""


def _session(sid):
    """Live processes of session sid (our daemon program runs in a session of its own)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as f:
                    fields = f.read().rsplit(b")", 1)[1].split()
            except OSError:
                continue
            if int(fields[3]) == sid and fields[0] not in (b"Z", b"X"):
                found.append(int(entry))
    return found


def start_daemon():
    """Run start_daemon in a main program of its own and let that program end normally."""
    proc = subprocess.Popen([sys.executable, "-I", "-S", "-c", _DAEMON_MAIN], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=DAEMON_EXIT)
    except subprocess.TimeoutExpired:
        out = err = None
    exited = proc.poll() is not None
    survivors = [pid for pid in _session(proc.pid) if pid != proc.pid]
    if out is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # the program's session: the program and its children
        except OSError:
            pass
        out, err = proc.communicate()
    text = out.decode("utf-8", "replace")
    pids = [int(line.split()[1]) for line in text.splitlines() if line.startswith("DAEMON ") and line.split()[1].isdigit()]
    return {"exited": exited, "exit_code": proc.returncode if exited else None, "pids": pids, "survivors": survivors,
            "stdout": text[-2000:], "stderr": err.decode("utf-8", "replace")[-3000:]}


# -- append_in_child -------------------------------------------------------------------------
def append_in_child(items):
    process_basics.lst.clear()
    got = _call(process_basics.append_in_child, items)
    got["lst_after"] = _plain(process_basics.lst)
    return got
