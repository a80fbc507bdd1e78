"""Runs in the sandbox beside the learner's mp_pipe.py; returns plain values only.

The tracing items are probekit.ipc's, the watched import and the process census
probekit.procs' (the probe-side kit, copied beside every probe).

Numbers handed to the learner are ``Traced`` ints: whenever one is unpickled (it crossed from
one process to another through a pipe), it appends "sender receiver value" to a trace file of
ours, so who sent what to whom comes from the numbers themselves, never from the learner's
globals or prints.  Exit codes come from the OS (waitpid), the processes still present after
a call from /proc, and every Pipe() the learner makes is recorded with its duplex flag.
"""
import multiprocessing.connection
import multiprocessing.process
from multiprocessing import Pipe, Process

from probekit import ipc
from probekit.procs import watched_import
from probekit.values import call

MODULE = "mp_pipe"


def _record_pipes(module):
    """Note the duplex flag of every Pipe() made from now on (all of them go through connection.Pipe)."""
    made = []
    real = multiprocessing.connection.Pipe

    def recording_pipe(duplex=True):
        made.append(bool(duplex))
        return real(duplex)

    multiprocessing.connection.Pipe = recording_pipe
    if getattr(module, "Pipe", None) is real:  # from multiprocessing.connection import Pipe
        module.Pipe = recording_pipe
    return made


# -- probes ---------------------------------------------------------------------------------
def receiver_alone(numbers):
    """The notes' main() written by us, with the learner's receiver as the child."""
    module, imported = watched_import(MODULE)
    if module is None:
        return {"import": imported}
    out_pipe, in_pipe = Pipe()
    child = Process(target=module.receiver, args=(out_pipe, in_pipe))
    child.start()
    out_pipe.close()
    for n in numbers:
        in_pipe.send(n)
    in_pipe.close()  # from here on, only the child's own copy keeps the sending end open
    child.join()
    return {"import": imported, "exitcode": child.exitcode}


def _traced(function, numbers, pipes):
    """The learner's function(numbers) with Traced numbers (each hop logged), and, with ``pipes``,
    the duplex flag of every Pipe() it makes."""
    module, imported = watched_import(MODULE)
    if module is None:
        return {"import": imported}
    extra = {"pipes": _record_pipes(module)} if pipes else {}
    value, error = call(getattr(module, function), [ipc.Traced(n) for n in numbers])
    return ipc.report(imported, value, error, **extra)


def send_numbers(numbers):
    return _traced("send_numbers", numbers, pipes=False)


def collect(numbers):
    return _traced("collect", numbers, pipes=True)


def ask_squares(numbers):
    """As _traced, and the exit code of every Process the learner's call started (None: still running)."""
    started = []
    real_start = multiprocessing.process.BaseProcess.start

    def start(self):
        real_start(self)
        started.append(self)

    multiprocessing.process.BaseProcess.start = start
    try:
        got = _traced("ask_squares", numbers, pipes=True)
    finally:
        multiprocessing.process.BaseProcess.start = real_start
    got["exitcodes"] = [p.exitcode for p in started]
    return got


def as_script():
    """Import the module (nothing may happen), then run mp_pipe.py as a script."""
    return ipc.as_script(MODULE)
