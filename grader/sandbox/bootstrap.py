"""Runs first in every sandbox child, before any learner code.

It is passed to the interpreter with ``-c`` (so the child needs no read access to the
grader's files) and gets three file descriptors: the request (read once, then closed),
the result channel, and the stack-dump file.  Order matters: limits and the dump handler
are in place before the probe imports the learner's module.

The function called is a probe function (``"observe"``: the suite's probe.py is run, then
its function called) or the learner's own (``"module:function"``: the learner's module is
imported and that function called; no probe code runs).
"""
import os
import sys

_SIGUSR1 = 10  # Linux; the signal module would cost an enum import


def _read_all(fd):
    chunks = []
    while True:
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _describe(exc):
    import traceback

    try:
        message = str(exc)
    except BaseException:  # a learner __str__ may itself raise
        message = "<unprintable>"
    try:
        tb = "".join(traceback.format_exception(exc))
    except BaseException:
        tb = ""
    return {"type": type(exc).__name__, "message": message[:4000], "traceback": tb[-12000:]}


def _target(request):
    """The callable the request names (see the module's docstring)."""
    module, direct, name = request["function"].partition(":")
    if direct:
        __import__(module)
        found = sys.modules[module]
    else:
        found = type(sys)("_grader_probe")
        found.__file__ = request["probe_path"]
        sys.modules[found.__name__] = found
        exec(compile(request["probe_source"], request["probe_path"], "exec"), found.__dict__)
        name = module
    for part in name.split("."):
        found = getattr(found, part)
    return found


def _main():
    # Only built-in or C modules here: each pure-Python import costs every check start-up time.
    import faulthandler
    import fcntl
    import marshal
    import resource

    # What writes the outcome is bound here, before learner code runs: a learner module that
    # replaces marshal.dumps or os.write changes nothing of it.
    dumps, write, close, leave, size_of, view_of = marshal.dumps, os.write, os.close, os._exit, len, memoryview
    req_fd, res_fd, dump_fd = (int(x) for x in sys.argv[1:4])
    request = marshal.loads(_read_all(req_fd))
    os.close(req_fd)
    # Keep the result channel away from the low descriptors learner code is likely to touch.
    out_fd = fcntl.fcntl(res_fd, fcntl.F_DUPFD_CLOEXEC, 700)
    os.close(res_fd)
    faulthandler.register(_SIGUSR1, file=dump_fd, all_threads=True, chain=False)

    for name, value in request["limits"].items():
        resource.setrlimit(getattr(resource, name), (value, value))
    if request.get("thread_stack"):
        import threading

        threading.stack_size(request["thread_stack"])
    sys.setrecursionlimit(request.get("recursion_limit", 3000))

    # As on a terminal: a printed line reaches the pipe in one write, so lines printed by
    # several processes or threads do not interleave mid-line (``-u`` would split them).
    sys.stdout.reconfigure(line_buffering=True)
    sys.stderr.reconfigure(line_buffering=True)

    if "services_fd" in request:  # objects of the verdict side, for probekit.remote's proxies
        os.environ["GRADER_SERVICES_FD"] = str(request["services_fd"])
    # The descriptors that are the grader's, not the learner's (a probe that counts the
    # learner's open files or sockets leaves them out).
    os.environ["GRADER_FDS"] = ",".join(str(fd) for fd in (out_fd, dump_fd, request.get("services_fd")) if fd is not None)

    workdir = request["workdir"]
    os.chdir(workdir)
    sys.path[:0] = [workdir]
    sys.path.extend(request.get("extra_path", ()))
    sys.argv = [request.get("argv0", "learner")] + list(request.get("argv", ()))

    try:
        value = _target(request)(*request["args"], **request["kwargs"])
        outcome = ("ok", value)
    except BaseException as exc:  # SystemExit and KeyboardInterrupt from learner code too
        outcome = ("error", _describe(exc))
    try:
        payload = dumps(outcome, 4)  # refuses anything but plain built-in values
    except BaseException as exc:
        detail = f"{type(exc).__name__}: {exc}"[:500]
        payload = dumps(("error", {"type": "UnplainValue", "message": detail, "traceback": ""}), 4)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BaseException:
        pass
    # Length-prefixed: a forked learner process may keep the channel open after we exit.
    # The channel is a unix socket whose reader takes only what this process wrote (the
    # kernel tells it the writer's pid), so a forked learner process cannot forge the frame.
    view = view_of(size_of(payload).to_bytes(8, "big") + payload)
    while view:
        view = view[write(out_fd, view):]
    close(out_fd)
    # Learner threads, atexit hooks or finalizers must not delay or change the outcome.
    leave(0)


_main()
