"""Runs in the sandbox beside the learner's fork_basics.py; returns plain values only.

Every fork made while learner code runs is recorded from inside the new process
(os.register_at_fork writes its pid and ppid into a pipe of ours), so pids, parents and
counts come from the OS, never from what the learner prints or keeps in globals.  File
descriptor 1 is captured into a file for the call, so the lines of every process are kept.
"""
import importlib
import os
import select
import sys
import tempfile
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


_HOOK_R, _HOOK_W = os.pipe()
_forking = [0]  # pid of the process calling fork, set just before; the child inherits the value


def _before():
    _forking[0] = os.getpid()


def _in_child():
    # The parent is who called fork, not os.getppid(): that changes if the parent has already ended.
    _note(b"F %d %d\n" % (os.getpid(), _forking[0]))


os.register_at_fork(before=_before, after_in_child=_in_child)

fork_basics = _import_learner("fork_basics")

SETTLE = 2.0  # how long processes still running after the call may take to end or turn zombie


def _note(record):
    try:
        os.write(_HOOK_W, record)
    except OSError:
        pass


def _describe(exc):
    tb = traceback.format_exc().replace(os.getcwd() + os.sep, "")
    if len(tb) > 3000:  # keep the end, from a line start: the learner's frames are last
        tb = "...\n" + tb[-3000:].split("\n", 1)[-1]
    return {"type": type(exc).__name__, "message": str(exc)[:500], "traceback": tb}


def _exit_code(exc):
    if exc.code is None:
        return 0
    return exc.code if isinstance(exc.code, int) else 1


def state(pid):
    """'gone' (reaped), 'zombie' (ended, never reaped) or 'running' (any other state)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            code = f.read().rsplit(b")", 1)[1].split()[0]
    except (OSError, IndexError):
        return "gone"
    return "zombie" if code in (b"Z", b"X") else "running"


def _records(deadline):
    """The fork records, read until every holder of the pipe's write end has gone (or deadline)."""
    data = bytearray()
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([_HOOK_R], [], [], left)[0]:
            break
        chunk = os.read(_HOOK_R, 65536)
        if not chunk:
            break
        data += chunk
    forks, escaped = [], []
    for line in data.decode().splitlines():
        kind, *nums = line.split()
        if kind == "F":
            forks.append([int(nums[0]), int(nums[1])])
        else:
            escaped.append(int(nums[0]))
    return forks, escaped


def _call(name, *args):
    """fork_basics.<name>(*args) with its output and the OS's view of the processes it made."""
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
        value = getattr(fork_basics, name)(*args)
    except SystemExit as exc:
        if os.getpid() != me:  # a child left with sys.exit(): let it end as it asked
            os._exit(_exit_code(exc))
        error = _describe(exc)
    except BaseException as exc:
        error = _describe(exc)
    if os.getpid() != me:
        # A child came back out of the learner's function: it would go on running our code.
        _note(b"E %d\n" % os.getpid())
        os._exit(0)
    sys.stdout.flush()
    os.dup2(saved, 1)
    os.close(saved)
    os.close(_HOOK_W)
    forks, escaped = _records(time.monotonic() + SETTLE)
    states = {pid: state(pid) for pid, _ in forks}
    end = time.monotonic() + SETTLE
    while any(s == "running" for s in states.values()) and time.monotonic() < end:
        time.sleep(0.02)  # polling the process table: a child nobody waits for turns zombie when it ends
        states = {pid: state(pid) for pid in states}
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    return {
        "value": value if isinstance(value, (type(None), bool, int, float, str, list, tuple)) else repr(value),
        "error": error, "lines": text.splitlines(), "me": me, "forks": forks, "escaped": escaped, "states": states,
    }


def show_pids():
    return _call("show_pids")


def change_global(start):
    fork_basics.num = start
    got = _call("change_global")
    got["num_after"] = fork_basics.num if isinstance(fork_basics.num, int) else repr(fork_basics.num)
    return got


def count_processes(n):
    return _call("count_processes", n)


def child_exit_code(code):
    return _call("child_exit_code", code)
