"""fork、getpid、getppid、wait — see README.md.

Every child process you fork must end with os._exit(...) inside the function: it must never
return from the function (it would go on running the caller's code).
"""
import os  # noqa: F401

num = 10  # change_global(): the global variable the child changes


def show_pids():
    """Fork once.

    Child: print 子进程的pid: <its pid> and 子进程的ppid: <its parent's pid>, then os._exit(0).
    Parent: os.wait() for the child, then print 父进程的pid: <its pid>; return the child's pid.
    """
    raise NotImplementedError("TODO: show_pids")


def change_global():
    """Fork once.

    Child: add 1 to the global num, print 子进程num = <num>, then os._exit(0).
    Parent: os.wait() for the child, print 父进程num = <num>, return num (unchanged).
    """
    raise NotImplementedError("TODO: change_global")


def count_processes(n):
    """Call os.fork() n times in a row, so that 2**n processes exist; each prints one line *.

    Count the processes through a pipe made before forking (each writes 1 byte; the original
    reads until EOF). Every process reaps all its own children with os.wait(); all but the
    original then end with os._exit(0). The original returns the count.
    """
    raise NotImplementedError("TODO: count_processes")


def child_exit_code(code):
    """Fork; the child ends at once with os._exit(code).

    The parent waits with os.wait() and returns (child's pid, child's exit code).
    """
    raise NotImplementedError("TODO: child_exit_code")
