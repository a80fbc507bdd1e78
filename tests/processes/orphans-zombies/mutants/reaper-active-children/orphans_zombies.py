"""孤儿进程、僵尸进程、两次fork — reference solution."""
import multiprocessing
import os
import signal
import traceback


def spawn_detached(fn, *args):
    r, w = os.pipe()  # the child tells the parent its own child's (the grandchild's) pid
    child = os.fork()
    if child == 0:
        os.close(r)
        grandchild = os.fork()
        if grandchild == 0:
            os.close(w)
            try:
                fn(*args)
                code = 0
            except BaseException:
                traceback.print_exc()
                code = 1
            os._exit(code)  # never return into the caller's code, whatever fn did
        os.write(w, str(grandchild).encode())
        os._exit(0)  # the child ends at once: the grandchild becomes an orphan, adopted by init
    os.close(w)
    data = b""
    while True:
        chunk = os.read(r, 64)
        if not chunk:
            break
        data += chunk
    os.close(r)
    os.waitpid(child, 0)  # reap the child: no zombie; the grandchild is not ours to wait for
    return int(data)


def install_reaper(on_exit):
    def reap(signum, frame):
        for child in multiprocessing.active_children():
            on_exit(child.pid, child.exitcode)

    signal.signal(signal.SIGCHLD, reap)
