"""Pipe 管道：单工与双工 / Pipes, one-way and duplex — reference solution."""
from multiprocessing import Pipe, Process


def receiver(out_pipe, in_pipe):
    """Child: receive numbers until the sending end is closed everywhere (EOFError)."""
    while True:
        try:
            msg = out_pipe.recv()
        except EOFError:
            print("输入端已经关闭,退出!")
            break
        print(f"msg: {msg}")
    out_pipe.close()


def send_numbers(numbers):
    """Parent: send numbers to a receiver child over a Pipe(), close, wait for the child."""
    out_pipe, in_pipe = Pipe()
    p = Process(target=receiver, args=(out_pipe, in_pipe))
    p.start()
    out_pipe.close()  # the child reads; the parent only sends
    for n in numbers:
        in_pipe.send(n)
    in_pipe.close()  # the child sees EOF once this, its last open copy, is closed
    p.join()


def producer(conn, numbers):
    """Child: send every number over conn (the sending end of a one-way pipe), then close it."""
    for n in numbers:
        conn.send(n)
    conn.close()


def collect(numbers):
    """Parent: a child sends the numbers over Pipe(False); receive them until EOFError."""
    r, w = Pipe(False)  # one-way: r can only receive, w can only send
    p = Process(target=producer, args=(w, numbers))
    p.start()
    w.close()  # otherwise the parent itself keeps the sending end open and never sees EOF
    received = []
    while True:
        try:
            received.append(r.recv())
        except EOFError:
            break
    r.close()
    p.join()
    return received


def squarer(conn, other):
    """Child: answer every number received on conn with its square, until EOFError."""
    other.close()  # the parent's end, inherited by the fork: close it or EOF never comes
    while True:
        try:
            n = conn.recv()
        except EOFError:
            break
        conn.send(n * n)
    conn.close()


def ask_squares(numbers):
    """Parent: over one duplex Pipe(), send each number and receive its square back."""
    parent_conn, child_conn = Pipe()
    p = Process(target=squarer, args=(child_conn, parent_conn))
    p.start()
    child_conn.close()
    answers = []
    for n in numbers:
        parent_conn.send(n)
        answers.append(parent_conn.recv())
    parent_conn.close()
    p.join()
    return answers


def main():
    send_numbers(range(10))


if __name__ == "__main__":
    main()
