"""fork、getpid、getppid、wait — reference solution."""
import os

num = 10  # change_global(): every process has its own copy of this variable


def show_pids():
    ret = os.fork()
    if ret == 0:
        print(f"子进程的pid: {ret}")
        print(f"子进程的ppid: {os.getppid()}")
        os._exit(0)  # the child must not come back out of this function
    os.wait()  # reap the child: otherwise it stays a zombie
    print(f"父进程的pid: {os.getpid()}")
    return ret


def change_global():
    global num
    ret = os.fork()
    if ret == 0:
        num += 1
        print(f"子进程num = {num}")
        os._exit(0)
    os.wait()
    print(f"父进程num = {num}")
    return num


def count_processes(n):
    me = os.getpid()
    r, w = os.pipe()  # created before forking, so every process holds the write end
    for _ in range(n):
        os.fork()
    print("*")
    os.write(w, b"1")
    os.close(w)
    # Every process reaps its own children before it ends, so no zombie is left anywhere.
    while True:
        try:
            os.wait()
        except ChildProcessError:
            break
    if os.getpid() != me:
        os._exit(0)
    count = 0
    while True:  # EOF once every process has closed its write end, i.e. has ended
        data = os.read(r, 1024)
        if not data:
            break
        count += len(data)
    os.close(r)
    return count


def child_exit_code(code):
    pid = os.fork()
    if pid == 0:
        os._exit(code)
    pid, status = os.wait()
    return pid, os.waitstatus_to_exitcode(status)
