"""Runs in the sandbox beside the learner's orphans_zombies.py; returns plain values only.

Every fork is recorded from inside the new process (its pid and the pid that forked it)
through a pipe of ours, so the process tree comes from the OS, not from the learner.  The
function the learner runs detached reports from the grandchild through the same pipe.
"""
import importlib
import json
import os
import select
import signal
import sys
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
    _note(f"F {os.getpid()} {_forking[0]}")


os.register_at_fork(before=_before, after_in_child=_in_child)

orphans_zombies = _import_learner("orphans_zombies")

RELEASE_AFTER = 2.0  # a spawn_detached that has not returned by then is waiting for fn itself
SETTLE = 2.0  # how long a process may take to end or be reaped
ADOPTION = 0.5  # the middle child is reaped before spawn_detached returns, so adoption has happened by then


def _note(text):
    try:
        os.write(_REC_W, (text + "\n").encode())
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


def _zombie_children(parent):
    """pids of the zombie children of parent, from /proc."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as f:
                    fields = f.read().rsplit(b")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == parent and fields[0] in (b"Z", b"X"):
                found.append(int(entry))
    return found


def _guarded(me, call):
    """Run learner code; a process other than me that comes back out of it is stopped here."""
    try:
        return call(), None
    except SystemExit as exc:
        if os.getpid() != me:
            os._exit(exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1))
        return None, _describe(exc)
    except BaseException as exc:
        if os.getpid() != me:
            _note(f"E {os.getpid()}")
            os._exit(1)
        return None, _describe(exc)
    finally:
        if os.getpid() != me:  # returned normally in a child or grandchild
            _note(f"E {os.getpid()}")
            os._exit(0)


def _records(deadline):
    """All records, read until every holder of the pipe's write end has gone (or deadline)."""
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
    out = {"forks": [], "escaped": [], "fn": []}
    for line in data.decode("utf-8", "replace").splitlines():
        kind, _, rest = line.partition(" ")
        if kind == "F":
            out["forks"].append([int(x) for x in rest.split()])
        elif kind == "E":
            out["escaped"].append(int(rest))
        elif kind == "G":
            try:
                out["fn"].append(json.loads(rest))
            except ValueError:
                pass
    return out


# -- spawn_detached ------------------------------------------------------------------------
def detached(args, fail=False):
    """spawn_detached(job, *args); job reports from the grandchild, waits to be released, and
    (once its first parent has ended) reports its new parent."""
    me = os.getpid()
    go_r, go_w = os.pipe()

    def job(*got_args):
        first_parent = _forking[0]
        _note("G " + json.dumps({"pid": os.getpid(), "ppid": os.getppid(), "first_parent": first_parent,
                                 "args": list(got_args), "stage": "started"}))
        os.close(go_w)
        select.select([go_r], [], [], RELEASE_AFTER + 2)  # released by the caller (or its watchdog)
        end = time.monotonic() + ADOPTION
        while os.getppid() == first_parent and time.monotonic() < end:
            time.sleep(0.01)  # waiting for the kernel to re-parent us once the middle process ended
        _note("G " + json.dumps({"pid": os.getpid(), "ppid": os.getppid(), "stage": "adopted"}))
        if fail:
            raise RuntimeError("job failed on purpose / 故意失败")

    released_by_watchdog = []

    def watchdog():
        if not returned.wait(RELEASE_AFTER):
            released_by_watchdog.append(True)
            os.write(go_w, b"go")

    returned = threading.Event()
    threading.Thread(target=watchdog, daemon=True).start()
    started = time.monotonic()
    value, error = _guarded(me, lambda: orphans_zombies.spawn_detached(job, *args))
    took = time.monotonic() - started
    returned.set()
    try:
        os.write(go_w, b"go")  # let the job finish now
    except OSError:
        pass
    os.close(go_w)
    got = _records(time.monotonic() + SETTLE + RELEASE_AFTER)
    first = [pid for pid, parent in got["forks"] if parent == me]
    states = {pid: state(pid) for pid, _ in got["forks"]}
    end = time.monotonic() + SETTLE
    while any(states[pid] == "running" for pid in first) and time.monotonic() < end:
        time.sleep(0.02)  # polling: a child nobody waits for turns zombie when it ends
        states = {pid: state(pid) for pid in states}
    got.update(value=value if isinstance(value, (type(None), bool, int, str)) else repr(value), error=error, me=me,
               states=states, waited_for_job=bool(released_by_watchdog), took=round(took, 3),
               zombies=_zombie_children(me))
    return got


# -- install_reaper ----------------------------------------------------------------------------
def _fork_child(code, wait_fd=None):
    pid = os.fork()
    if pid == 0:
        if wait_fd is not None:
            select.select([wait_fd], [], [], 30)
        os._exit(code)
    return pid


def _install(me, reported):
    return _guarded(me, lambda: orphans_zombies.install_reaper(lambda pid, code: reported.append([pid, code])))


def reaper_together(codes):
    """Children that all end while SIGCHLD is blocked: one signal arrives for all of them."""
    me, reported = os.getpid(), []
    value, error = _install(me, reported)
    if error:
        return {"error": error}
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGCHLD})
    pids = [_fork_child(code) for code in codes]
    end = time.monotonic() + SETTLE
    while any(state(pid) == "running" for pid in pids) and time.monotonic() < end:
        time.sleep(0.01)  # polling /proc until every child has ended (each is a zombie now)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD})  # the one pending SIGCHLD arrives here
    end = time.monotonic() + SETTLE
    while len(reported) < len(pids) and time.monotonic() < end:
        time.sleep(0.01)  # the handler runs in this (main) thread, between our statements
    return {"error": None, "pids": pids, "reported": list(reported), "zombies": _zombie_children(me),
            "states": {pid: state(pid) for pid in pids}}


def reaper_busy(short_code):
    """One child keeps running while another ends: the handler must not wait for the first."""
    me, reported = os.getpid(), []
    value, error = _install(me, reported)
    if error:
        return {"error": error}
    hold_r, hold_w = os.pipe()
    stuck = []

    def watchdog():
        if not back.wait(RELEASE_AFTER):
            stuck.append(True)
            os.write(hold_w, b"go")  # end the long child, which is what a blocking handler waits for

    back = threading.Event()
    long_pid = _fork_child(0, hold_r)
    # Started before the short child exists: a blocking handler may run as soon as it has ended.
    threading.Thread(target=watchdog, daemon=True).start()
    short_pid = _fork_child(short_code)
    end = time.monotonic() + SETTLE + RELEASE_AFTER
    while not any(pid == short_pid for pid, _ in reported) and time.monotonic() < end:
        time.sleep(0.01)  # the handler runs in this thread
    back.set()
    seen_short = [list(r) for r in reported]
    zombies_while_long_runs = [] if stuck else _zombie_children(me)
    os.write(hold_w, b"go")
    end = time.monotonic() + SETTLE
    while len(reported) < 2 and time.monotonic() < end:
        time.sleep(0.01)
    return {"error": None, "long": long_pid, "short": short_pid, "blocked": bool(stuck),
            "reported_while_long_runs": seen_short, "reported": [list(r) for r in reported],
            "zombies_while_long_runs": zombies_while_long_runs, "zombies": _zombie_children(me)}


def reaper_program(count, gap):
    """Children ending one after another while the program sleeps; the test samples the
    process tree from outside meanwhile."""
    me, reported = os.getpid(), []
    value, error = _install(me, reported)
    if error:
        return {"error": error}
    pids = []
    for i in range(count):
        pid = os.fork()
        if pid == 0:
            time.sleep(gap * (i + 1))
            os._exit(i + 1)
        pids.append(pid)
    sys.stdout.write("started\n")
    sys.stdout.flush()
    end = time.monotonic() + gap * count + SETTLE
    while len(reported) < count and time.monotonic() < end:
        time.sleep(0.01)
    return {"error": None, "pids": pids, "reported": [list(r) for r in reported], "zombies": _zombie_children(me)}
