"""Pipe 管道：单工与双工 / Pipes, one-way and duplex — see README.md."""
from multiprocessing import Pipe, Process  # noqa: F401


def receiver(out_pipe, in_pipe):
    """子进程 / Child.

    先关闭 in_pipe（子进程里那份发送端）；然后循环 out_pipe.recv()，每收到一个数字打印 msg: {数字}；
    recv() 抛出 EOFError（发送端在所有进程里都关闭了）时打印 输入端已经关闭,退出! 并返回。
    First close in_pipe (the child's copy of the sending end); then loop on out_pipe.recv(), printing
    msg: {number} for each number; when recv() raises EOFError (the sending end is closed in every
    process), print 输入端已经关闭,退出! and return.
    """
    raise NotImplementedError("TODO: receiver")


def send_numbers(numbers):
    """父进程 / Parent.

    out_pipe, in_pipe = Pipe()；启动子进程 Process(target=receiver, args=(out_pipe, in_pipe))；
    父进程关闭 out_pipe，用 in_pipe.send 依次发送 numbers，关闭 in_pipe，最后 join 子进程。
    out_pipe, in_pipe = Pipe(); start Process(target=receiver, args=(out_pipe, in_pipe)); in the parent
    close out_pipe, send each number with in_pipe.send, close in_pipe, then join the child.
    """
    raise NotImplementedError("TODO: send_numbers")


def producer(conn, numbers):
    """子进程 / Child: conn.send 每个数字，然后 conn.close()。 / conn.send every number, then conn.close()."""
    raise NotImplementedError("TODO: producer")


def collect(numbers):
    """父进程，单工管道 / Parent, one-way pipe.

    r, w = Pipe(False)；启动子进程 Process(target=producer, args=(w, numbers))；父进程立刻 w.close()；
    循环 r.recv() 直到 EOFError；join 子进程；返回收到的数字列表。
    r, w = Pipe(False); start Process(target=producer, args=(w, numbers)); in the parent w.close() at
    once; r.recv() until EOFError; join the child; return the list of numbers received.
    """
    raise NotImplementedError("TODO: collect")


def squarer(conn, other):
    """子进程，双工管道 / Child, duplex pipe.

    先 other.close()（父进程那一端在子进程里的副本）；循环 n = conn.recv()，conn.send(n * n)，
    直到 EOFError；最后 conn.close()。
    First other.close() (the child's copy of the parent's end); loop n = conn.recv(), conn.send(n * n)
    until EOFError; then conn.close().
    """
    raise NotImplementedError("TODO: squarer")


def ask_squares(numbers):
    """父进程，双工管道 / Parent, duplex pipe.

    parent_conn, child_conn = Pipe()；启动 Process(target=squarer, args=(child_conn, parent_conn))；
    父进程 child_conn.close()；对每个数字 parent_conn.send(n) 再 parent_conn.recv() 取回平方；
    parent_conn.close()；join 子进程；返回平方的列表。
    parent_conn, child_conn = Pipe(); start Process(target=squarer, args=(child_conn, parent_conn));
    in the parent child_conn.close(); for each number parent_conn.send(n), then parent_conn.recv() its
    square; parent_conn.close(); join the child; return the list of squares.
    """
    raise NotImplementedError("TODO: ask_squares")


def main():
    """作为脚本运行时：send_numbers(range(10))。 / When run as a script: send_numbers(range(10))."""
    raise NotImplementedError("TODO: main")


if __name__ == "__main__":
    main()
