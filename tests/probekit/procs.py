"""Processes as the OS sees them: forks recorded from inside each new process, states and
trees read from /proc, and learner modules imported under watch."""
import gc
import importlib
import json
import os
import select
import sys
import time

from .output import captured_stdout
from .values import error_of

SETTLE = 2.0  # how long processes may take to end, or be reaped, once the learner's call returned


# -- records ----------------------------------------------------------------------------------------
class Records:
    """A pipe of ours that every process (the probe's and all it forks) writes one-line JSON
    records into.  Every fork is recorded from inside the new process as ``{"fork": [pid,
    pid that called fork]}`` (the caller, not os.getppid(): that changes once the parent
    has ended).  Make one when the probe is imported, before any learner code runs."""

    def __init__(self):
        self._r, self._w = os.pipe()
        self._forking = 0  # set just before a fork; the child inherits the value
        os.register_at_fork(before=self._before, after_in_child=self._in_child)

    def _before(self):
        self._forking = os.getpid()

    def _in_child(self):
        self.note({"fork": [os.getpid(), self._forking]})

    @property
    def forked_by(self) -> int:
        """In a forked process: the pid of the process that forked it."""
        return self._forking

    def note(self, record):
        """Write one record (from any process); ignored once the probe stopped listening."""
        try:
            os.write(self._w, (json.dumps(record) + "\n").encode())
        except (OSError, TypeError, ValueError):
            pass

    def read(self, deadline, quiet=None) -> list:
        """Stop listening and read every record: until all holders of the pipe's write end
        have gone, ``deadline`` (time.monotonic()) passed, or nothing came for ``quiet``
        seconds (pool workers a learner never closed may hold the pipe open for ever)."""
        if self._w is not None:
            os.close(self._w)
            self._w = None
        data = bytearray()
        while True:
            left = deadline - time.monotonic()
            wait = left if quiet is None else min(left, quiet)
            if left <= 0 or not select.select([self._r], [], [], wait)[0]:
                break
            chunk = os.read(self._r, 65536)
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


def pick(records, key) -> list:
    """The ``key`` part of every record that has one, in order."""
    return [r[key] for r in records if key in r]


# -- the process table ---------------------------------------------------------------------------
def state(pid) -> str:
    """'gone' (reaped), 'zombie' (ended, never reaped) or 'running' (any other state)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            code = f.read().rsplit(b")", 1)[1].split()[0]
    except (OSError, IndexError):
        return "gone"
    return "zombie" if code in (b"Z", b"X") else "running"


def settle(pids, seconds=SETTLE, wait_for=None) -> dict:
    """{pid: state} once none of ``wait_for`` (default: all of ``pids``) is running any more, or
    after ``seconds``: a child nobody waits for turns zombie when it ends."""
    pids = list(pids)
    wait_for = pids if wait_for is None else list(wait_for)
    end = time.monotonic() + seconds
    while any(state(pid) == "running" for pid in wait_for) and time.monotonic() < end:
        time.sleep(0.02)  # polling the process table
    return {pid: state(pid) for pid in pids}


def table() -> list:
    """[pid, ppid, state letter, session id] of every process we can see, from /proc."""
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat", "rb") as f:
                    fields = f.read().rsplit(b")", 1)[1].split()
                found.append([int(name), int(fields[1]), fields[0].decode(), int(fields[3])])
            except (OSError, IndexError, ValueError):
                pass
    return found


def zombie_children(parent) -> list:
    """pids of the zombie children of ``parent``."""
    return [pid for pid, ppid, st, _ in table() if ppid == parent and st in ("Z", "X")]


def session(sid) -> list:
    """pids of the live (not zombie) processes of session ``sid``."""
    return [pid for pid, _, st, s in table() if s == sid and st not in ("Z", "X")]


def descendants(root=None) -> list:
    """[pid, state letter] of every process below ``root`` (default: this process)."""
    children = {}
    for pid, ppid, st, _ in table():
        children.setdefault(ppid, []).append([pid, st])
    found, todo = [], [os.getpid() if root is None else root]
    while todo:
        for pid, st in children.get(todo.pop(), []):
            found.append([pid, st])
            todo.append(pid)
    return found


def left(seconds=1.5) -> list:
    """Processes still below us once the learner's call returned (a zombie counts: nobody
    joined it), after up to ``seconds`` for them to go away."""
    end = time.monotonic() + seconds
    while True:
        below = descendants()
        if not below or time.monotonic() > end:
            return below
        time.sleep(0.02)  # polling the process table


# -- learner code that starts processes ---------------------------------------------------------
class ProcessAtImport(RuntimeError):
    """Learner code tried to start a process while its module was being imported."""


def import_refusing_fork(name):
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


_STARTED = []  # process-creating audit events, to see what importing a module did
_HOOKED = []


def _audit(event, args):
    if event in ("os.fork", "os.posix_spawn", "subprocess.Popen", "os.exec"):
        _STARTED.append(event)


def watched_import(name):
    """Import the learner's module with its output captured and its process starts counted
    (importing should only define things): ``(module or None, {"printed", "processes", "error"})``."""
    if not _HOOKED:
        sys.addaudithook(_audit)
        _HOOKED.append(True)
    started = len(_STARTED)
    module = error = None
    with captured_stdout() as out:
        try:
            module = importlib.import_module(name)
        except BaseException as exc:  # SystemExit / EOFError from a main() run at import time too
            error = error_of(exc)
    return module, {"printed": out.text(limit=2000), "processes": len(_STARTED) - started, "error": error}


def exit_code(exc: SystemExit) -> int:
    """The status a process ending with this SystemExit gets."""
    if exc.code is None:
        return 0
    return exc.code if isinstance(exc.code, int) else 1


def guarded(call, me, records):
    """``(value, error)`` of learner code that may fork, in the process ``me``.  Any other process
    that comes back out of it (it would go on running the probe's code) is recorded as
    ``{"escaped": pid}`` and ended; one that called sys.exit() ends as it asked."""
    try:
        value, error = call(), None
    except SystemExit as exc:
        if os.getpid() != me:
            os._exit(exit_code(exc))
        value, error = None, error_of(exc)
    except BaseException as exc:
        if os.getpid() != me:
            records.note({"escaped": os.getpid()})
            os._exit(1)
        value, error = None, error_of(exc)
    if os.getpid() != me:
        records.note({"escaped": os.getpid()})
        os._exit(0)
    return value, error


def run_script(path):
    """Run the learner's file as a program (``__name__ == "__main__"``): None, or the error
    that ended it (sys.exit(0) is a normal end)."""
    import runpy

    try:
        runpy.run_path(path, run_name="__main__")
    except SystemExit as exc:
        return None if exc.code in (None, 0) else error_of(exc)
    except BaseException as exc:  # reported by the check
        return error_of(exc)
    return None


# -- descriptors --------------------------------------------------------------------------------------
def open_fds(kind: str = "") -> list[str]:
    """What this process's open descriptors point at ("socket:[…]", a path, "pipe:[…]"),
    those whose target starts with ``kind``; the grader's own channels (GRADER_FDS) are
    left out, so only the learner's (and the probe's) count."""
    grader = set(os.environ.get("GRADER_FDS", "").split(","))
    found = []
    for fd in os.listdir("/proc/self/fd"):
        if fd in grader:
            continue
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue  # the listing's own descriptor, closed again
        if target.startswith(kind):
            found.append(target)
    return found


def udp_sockets() -> int:
    """UDP sockets (IPv4 and IPv6) this process has open, after the garbage collector ran, so
    only those something still refers to count."""
    gc.collect()
    inodes = set()
    for table in ("/proc/net/udp", "/proc/net/udp6"):
        try:
            with open(table) as f:
                next(f)
                inodes.update(f"socket:[{line.split()[9]}]" for line in f)
        except OSError:
            pass
    return sum(1 for target in open_fds("socket:[") if target in inodes)
