"""Runs in the sandbox beside the learner's fork_basics.py; returns plain values only.

Every fork made while learner code runs is recorded from inside the new process
(probekit.procs.Records: its pid and the pid that forked it, into a pipe of ours), so pids,
parents and counts come from the OS, never from what the learner prints or keeps in globals.
File descriptor 1 is captured into a file for the call, so the lines of every process are kept.
"""
import os
import time

from probekit.output import captured_stdout
from probekit.procs import Records, guarded, import_refusing_fork, pick, settle
from probekit.values import plain

RECORDS = Records()  # every fork made from now on, recorded from inside the new process
_real_exit = os._exit


def _recorded_exit(code):
    """os._exit, noting ``{"exit": [pid, code]}`` first: the exit code each forked process asked for
    (the learner's parents reap them with os.wait() and drop the status)."""
    RECORDS.note({"exit": [os.getpid(), code]})
    _real_exit(code)


os._exit = _recorded_exit  # before the import: `from os import _exit` gets it too
fork_basics = import_refusing_fork("fork_basics")

SETTLE = 2.0  # how long processes still running after the call may take to end or turn zombie


def _call(name, *args):
    """fork_basics.<name>(*args) with its output and the OS's view of the processes it made.
    The call sits in a try/finally of ours standing for the caller's code: a process other than
    ours in which that finally runs came back out of the function, by returning or by an
    exception such as sys.exit()'s SystemExit (recorded as ``{"unwound": pid}``)."""
    me = os.getpid()

    def caller():
        try:
            return getattr(fork_basics, name)(*args)
        finally:
            if os.getpid() != me:  # a forked process running the caller's code
                RECORDS.note({"unwound": os.getpid()})

    with captured_stdout() as out:
        value, error = guarded(caller, me, RECORDS)
    records = RECORDS.read(time.monotonic() + SETTLE)
    forks = pick(records, "fork")
    states = settle([pid for pid, _ in forks], SETTLE)
    return {
        "value": plain(value, tuples=True), "error": error, "lines": out.lines(), "me": me, "forks": forks, "escaped": pick(records, "escaped"),
        "unwound": pick(records, "unwound"), "exits": pick(records, "exit"),
        "states": states,
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
