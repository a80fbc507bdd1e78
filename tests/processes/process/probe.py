"""Runs in the sandbox beside the learner's process_basics.py; returns plain values only.

Every fork is recorded from inside the new process (its pid and the pid that forked it)
through a pipe of ours (probekit.procs.Records), and the targets the probe hands to the
learner's code report through it too: who ran them, with which arguments, under which
name.  File descriptor 1 is captured for the call, so the lines printed by every process
are kept.
"""
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time

from probekit.output import captured_stdout
from probekit.procs import Records, guarded, import_refusing_fork, pick, session, settle
from probekit.values import plain

RECORDS = Records()  # every fork made from now on, and what the probe's targets report
process_basics = import_refusing_fork("process_basics")

SETTLE = 2.0  # how long a process may take to end or be reaped
TOGETHER = 2.0  # how long each of three processes waits for the other two to be running too
DAEMON_EXIT = 3.0  # how long the main process of the daemon check may take to exit


def _call(fn, *args):
    """fn(*args) with fd 1 captured; returns value, error, printed lines, records, process states."""
    me = os.getpid()
    with captured_stdout() as out:
        value, error = guarded(lambda: fn(*args), me, RECORDS)
    records = RECORDS.read(time.monotonic() + SETTLE)
    forks = pick(records, "fork")
    return {"value": plain(value), "error": error, "lines": out.lines(), "me": me, "forks": forks,
            "calls": pick(records, "call"), "states": settle([pid for pid, _ in forks], SETTLE)}


# -- start_three -----------------------------------------------------------------------------
def start_three():
    barrier = multiprocessing.Barrier(3)

    def show_info(name, age):
        try:
            barrier.wait(TOGETHER)
            together = True
        except threading.BrokenBarrierError:
            together = False
        RECORDS.note({"call": {"name": name, "age": age, "pid": os.getpid(), "ppid": os.getppid(),
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
    RECORDS.note({"call": {"pid": os.getpid()}})
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


def start_daemon():
    """Run start_daemon in a main program of its own and let that program end normally."""
    proc = subprocess.Popen([sys.executable, "-I", "-S", "-c", _DAEMON_MAIN], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=DAEMON_EXIT)
    except subprocess.TimeoutExpired:
        out = err = None
    exited = proc.poll() is not None
    survivors = [pid for pid in session(proc.pid) if pid != proc.pid]
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
    got["lst_after"] = plain(process_basics.lst)
    return got
