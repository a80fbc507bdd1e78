"""孤儿进程、僵尸进程、两次fork / Orphans, zombies and the double fork — see README.md."""
import os  # noqa: F401
import signal  # noqa: F401


def spawn_detached(fn, *args):
    """Run fn(*args) in a grandchild made by a double fork; return the grandchild's pid.

    Caller: fork a child, read the grandchild's pid from a pipe, reap the child with
    os.waitpid(child, 0), return the grandchild's pid (do not wait for the grandchild).
    Child: fork the grandchild, write its pid into the pipe, os._exit(0) at once.
    Grandchild: os.close(w), call fn(*args), then os._exit(0) (os._exit(1) if fn raised); it never returns.
    """
    raise NotImplementedError("TODO: spawn_detached")


def install_reaper(on_exit):
    """Install a SIGCHLD handler that reaps every finished child without blocking.

    The handler loops on os.waitpid(-1, os.WNOHANG) until no finished child is left, and
    calls on_exit(pid, exit_code) for each child it reaped.
    """
    raise NotImplementedError("TODO: install_reaper")
