"""Runs in the sandbox beside the learner's orphans_zombies.py; returns plain values only.

Every fork is recorded from inside the new process (its pid and the pid that forked it)
through a pipe of ours (probekit.procs.Records), so the process tree comes from the OS, not from the learner.  The
function the learner runs detached reports from the grandchild through the same pipe.
"""
import os
import resource
import select
import signal
import sys
import threading
import time

from probekit.procs import Records, guarded, import_refusing_fork, pick, settle, state, zombie_children

RECORDS = Records()  # every fork made from now on, and what the job run detached reports
orphans_zombies = import_refusing_fork("orphans_zombies")

RELEASE_AFTER = 2.0  # a spawn_detached that has not returned by then is waiting for fn itself
SETTLE = 2.0  # how long a process may take to end or be reaped
ADOPTION = 0.5  # the middle child is reaped before spawn_detached returns, so adoption has happened by then


# -- spawn_detached ------------------------------------------------------------------------
SLOW_EXIT = 0.3  # the middle child, its descriptors closed, takes this long to end


def _watch_exits(me):
    """Record every os._exit(code) of the processes forked below ``me`` ({"exit": {pid, parent,
    code}}). The middle child's exit is stretched: its descriptors (the pipe's write end among
    them) are closed first, as the kernel does at exit, then it takes SLOW_EXIT s to end, so a
    caller that reads EOF and then does not wait for the child (os.waitpid(child, os.WNOHANG))
    finds it still running, on every run."""
    real = os._exit

    def _exit(code):
        pid = os.getpid()
        if pid != me:
            parent = os.getppid()  # the caller, still running, for the middle child
            RECORDS.note({"exit": {"pid": pid, "parent": parent, "code": code}})
            if parent == me:
                os.closerange(3, resource.getrlimit(resource.RLIMIT_NOFILE)[0])
                time.sleep(SLOW_EXIT)
        real(code)

    os._exit = _exit
    return real


def detached(args, fail=False):
    """spawn_detached(job, *args); job reports from the grandchild, waits to be released, and
    (once its first parent has ended) reports its new parent."""
    me = os.getpid()
    go_r, go_w = os.pipe()

    def job(*got_args):
        first_parent = RECORDS.forked_by
        RECORDS.note({"fn": {"pid": os.getpid(), "ppid": os.getppid(), "first_parent": first_parent,
                             "args": list(got_args), "stage": "started"}})
        os.close(go_w)
        select.select([go_r], [], [], RELEASE_AFTER + 2)  # released by the caller (or its watchdog)
        end = time.monotonic() + ADOPTION
        while os.getppid() == first_parent and time.monotonic() < end:
            time.sleep(0.01)  # waiting for the kernel to re-parent us once the middle process ended
        RECORDS.note({"fn": {"pid": os.getpid(), "ppid": os.getppid(), "stage": "adopted"}})
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
    real_exit = _watch_exits(me)
    try:
        value, error = guarded(lambda: orphans_zombies.spawn_detached(job, *args), me, RECORDS)
    finally:
        if os.getpid() == me:
            os._exit = real_exit
    took = time.monotonic() - started
    returned.set()
    try:
        os.write(go_w, b"go")  # let the job finish now
    except OSError:
        pass
    os.close(go_w)
    records = RECORDS.read(time.monotonic() + SETTLE + RELEASE_AFTER)
    got = {"forks": pick(records, "fork"), "escaped": pick(records, "escaped"), "fn": pick(records, "fn"),
           "exits": pick(records, "exit")}
    first = [pid for pid, parent in got["forks"] if parent == me]
    states = settle([pid for pid, _ in got["forks"]], SETTLE, wait_for=first)
    got.update(value=value if isinstance(value, (type(None), bool, int, str)) else repr(value), error=error, me=me,
               states=states, waited_for_job=bool(released_by_watchdog), took=round(took, 3),
               zombies=zombie_children(me))
    return got


# -- install_reaper ----------------------------------------------------------------------------
def _fork_child(code, wait_fd=None, own_group=False):
    pid = os.fork()
    if pid == 0:
        if own_group:
            os.setpgid(0, 0)  # a child in a process group of its own is still a child to reap
        if wait_fd is not None:
            select.select([wait_fd], [], [], 30)
        os._exit(code)
    return pid


def _install(me, reported):
    return guarded(lambda: orphans_zombies.install_reaper(lambda pid, code: reported.append([pid, code])), me, RECORDS)


def reaper_together(codes):
    """Children that all end while SIGCHLD is blocked: one signal arrives for all of them; the
    middle one has moved into a process group of its own (os.waitpid(0, ...) misses it)."""
    me, reported = os.getpid(), []
    value, error = _install(me, reported)
    if error:
        return {"error": error}
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGCHLD})
    pids = [_fork_child(code, own_group=i == len(codes) // 2) for i, code in enumerate(codes)]
    end = time.monotonic() + SETTLE
    while any(state(pid) == "running" for pid in pids) and time.monotonic() < end:
        time.sleep(0.01)  # polling /proc until every child has ended (each is a zombie now)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD})  # the one pending SIGCHLD arrives here
    end = time.monotonic() + SETTLE
    while len(reported) < len(pids) and time.monotonic() < end:
        time.sleep(0.01)  # the handler runs in this (main) thread, between our statements
    return {"error": None, "pids": pids, "reported": list(reported), "zombies": zombie_children(me),
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
    zombies_while_long_runs = [] if stuck else zombie_children(me)
    os.write(hold_w, b"go")
    end = time.monotonic() + SETTLE
    while len(reported) < 2 and time.monotonic() < end:
        time.sleep(0.01)
    return {"error": None, "long": long_pid, "short": short_pid, "blocked": bool(stuck),
            "reported_while_long_runs": seen_short, "reported": [list(r) for r in reported],
            "zombies_while_long_runs": zombies_while_long_runs, "zombies": zombie_children(me)}


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
    return {"error": None, "pids": pids, "reported": [list(r) for r in reported], "zombies": zombie_children(me)}
