"""孤儿进程、僵尸进程、两次fork — reference solution."""
import os
import signal
import traceback


def spawn_detached(fn, *args):
    pid = os.fork()
    if pid == 0:
        try:
            fn(*args)
            code = 0
        except BaseException:
            traceback.print_exc()
            code = 1
        os._exit(code)
    return pid


def install_reaper(on_exit):
    def reap(signum, frame):
        # Signals do not queue: one SIGCHLD may stand for several children, so reap until none is left.
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return  # no children at all
            if pid == 0:
                return  # children left, but all still running
            on_exit(pid, os.waitstatus_to_exitcode(status))

    signal.signal(signal.SIGCHLD, reap)
