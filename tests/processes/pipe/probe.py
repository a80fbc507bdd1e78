"""Runs in the sandbox beside the learner's mp_pipe.py; returns plain values only.

The tracing items, the watched import and the process census are in ../ipc_probe.py, which
the harness copies beside this probe (``probe_support`` in exercise.toml).

Numbers handed to the learner are ``Traced`` ints: whenever one is unpickled (it crossed from
one process to another through a pipe), it appends "sender receiver value" to a trace file of
ours, so who sent what to whom comes from the numbers themselves, never from the learner's
globals or prints.  Exit codes come from the OS (waitpid), the processes still present after
a call from /proc, and every Pipe() the learner makes is recorded with its duplex flag.
"""
import multiprocessing.connection
import os
import runpy
from multiprocessing import Pipe, Process

import ipc_probe as ipc

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


def _result(imported, value, error, **extra):
    left = ipc.left()  # first: a child still running may not have received everything yet
    return {"import": imported, "value": ipc.plain(value), "error": error, "trace": ipc.trace(), "me": os.getpid(),
            "left": left, **extra}


# -- probes ---------------------------------------------------------------------------------
def receiver_alone(numbers):
    """The notes' main() written by us, with the learner's receiver as the child."""
    module, imported = ipc.load(MODULE)
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


def send_numbers(numbers):
    module, imported = ipc.load(MODULE)
    if module is None:
        return {"import": imported}
    value, error = ipc.call(module.send_numbers, [ipc.Traced(n) for n in numbers])
    return _result(imported, value, error)


def collect(numbers):
    module, imported = ipc.load(MODULE)
    if module is None:
        return {"import": imported}
    pipes = _record_pipes(module)
    value, error = ipc.call(module.collect, [ipc.Traced(n) for n in numbers])
    return _result(imported, value, error, pipes=pipes)


def ask_squares(numbers):
    module, imported = ipc.load(MODULE)
    if module is None:
        return {"import": imported}
    pipes = _record_pipes(module)
    value, error = ipc.call(module.ask_squares, [ipc.Traced(n) for n in numbers])
    return _result(imported, value, error, pipes=pipes)


def as_script():
    """Import the module (nothing may happen), then run mp_pipe.py as a script."""
    module, imported = ipc.load(MODULE)
    if module is None:
        return {"import": imported}
    error = None
    try:
        runpy.run_path(f"{MODULE}.py", run_name="__main__")
    except SystemExit as exc:
        if exc.code not in (None, 0):
            error = ipc.describe(exc)
    except BaseException as exc:
        error = ipc.describe(exc)
    return {"import": imported, "error": error, "left": ipc.left()}
