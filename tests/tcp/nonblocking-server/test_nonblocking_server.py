"""tcp/nonblocking-server: one process, one thread, non-blocking sockets polled in a loop.

A line echo over real loopback sockets: every complete line comes back unchanged and is
logged as ``<addr>: text`` (the shared checks of ``kit.echo_suite``, with this exercise's
hints from ``[suite]`` in exercise.toml).  What makes this server model is that a single
thread serves several clients at once, so it is checked with clients that interleave, that
all stay connected, and one that sent only half a line; from outside (psutil) it must be one
process with one thread and give back every closed client's socket.
"""
import socket
import threading
import time
from contextlib import ExitStack

from grader.feedback import check
from grader.net import reset, wait_consumed
from kit.echo import echo, open_client, server_alive
from kit.echo_suite import (  # noqa: F401 - the shared checks this exercise takes
    IDLE_CPU_FLOOR,
    IDLE_SECONDS,
    EchoServer,
    spin_share,
    test_client_sees_eof,
    test_echoes_lines_in_order,
    test_idle_server_sleeps,
    test_large_line_echoed_whole,
    test_listens_with_backlog_128,
    test_logs_client_exit,
    test_logs_lines,
    test_logs_reach_a_pipe_at_once,
    test_one_thread_one_process,
    test_partial_line_does_not_block_others,
    test_reassembles_fragmented_line,
    test_releases_closed_clients,
    test_reply_survives_full_send_buffer,
    test_restarts_on_same_port,
    test_serves_clients_concurrently,
    test_splits_lines_sent_together,
    test_survives_client_reset,
    test_survives_reset_before_reply,
)


def test_interleaved_clients(learner):
    with EchoServer.of(learner.exercise).start(learner) as srv, ExitStack() as stack:
        first, second = open_client(srv, stack), open_client(srv, stack)  # both connected before anyone talks
        for who, client, text in [(1, first, "一号的第一行 / first, line 1"), (2, second, "二号的第一行 / second, line 1"),
                                  (1, first, "一号的第二行 / first, line 2"), (2, second, "二号的第二行 / second, line 2")]:
            echo(srv, client, text.encode(),
                 stuck_zh=f"两个客户端都连着、轮流发送时，第 {who} 个客户端在 {srv.timeout:g} 秒内没有收到回显。",
                 stuck_en=f"With two clients connected and taking turns, client {who} got no echo within {srv.timeout:g} s.",
                 hint_zh="循环里对每个客户端都要从它自己的套接字 cli_socket 读、往它自己的套接字发（笔记里的错误是总读 new_socket，"
                         "也就是最后连上的那个）；客户端套接字也要 setblocking(False)。",
                 hint_en="In the loop, read from and send to each client's own cli_socket (the notes' bug reads new_socket, "
                         "the client that connected last); client sockets must be setblocking(False) too.")


# -- this exercise's own checks: the listen backlog, SO_REUSEADDR, flushed log lines ---------


FLOOD_LINE = 65536  # bytes per line (with its \n)
FLOOD_LINES = 128  # 8 MiB: more than the kernel holds for one connection (tcp_wmem max 4 MiB + the window)


def test_sleeps_while_replies_wait(learner):
    """A client sends 8 MiB of lines and reads none of the replies: once the server has taken
    them all (or stopped taking them), every round's send() to it raises BlockingIOError, which
    is a round where nothing happened. Measured like an idle server: far less CPU than a process
    spinning beside it, over the same window."""
    es = EchoServer.of(learner.exercise)
    line = b"." * (FLOOD_LINE - 1) + b"\n"
    with es.start(learner) as srv, ExitStack() as stack:
        a = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
        a.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, FLOOD_LINE)  # before connect: a small, fixed window
        a.settimeout(srv.timeout)
        a.connect(srv.address)
        progress = [0]

        def send_all():
            try:
                for _ in range(FLOOD_LINES):
                    a.sendall(line)
                    progress[0] += len(line)
            except OSError:
                pass

        sender = threading.Thread(target=send_all, daemon=True)
        sender.start()
        stalled = srv.timeout / 2  # the server may stop taking the bytes while the replies wait
        last, since = -1, time.monotonic()
        while sender.is_alive():
            sender.join(0.05)
            if progress[0] != last:
                last, since = progress[0], time.monotonic()
            elif time.monotonic() - since > stalled:
                break
        wait_consumed(a, srv.timeout)  # the server has read what it will read
        server_alive(srv)
        busy, share = spin_share(IDLE_SECONDS, srv.cpu_seconds)
        limit = max(IDLE_CPU_FLOOR, busy / 2)
        check(share <= limit,
              f"一个客户端发了 {progress[0]} 字节却不读回复（给它的 send 每次都抛出 BlockingIOError）时，服务器每秒用了 "
              f"{share:.2f} 秒 CPU（{IDLE_SECONDS:g} 秒内），和同时运行的一个空转进程（每秒 {busy:.2f} 秒）差不多：它在空转。",
              f"With a client that sent {progress[0]} bytes and reads none of the replies (every send() to it raises "
              f"BlockingIOError), the server used {share:.2f} s of CPU per second (over {IDLE_SECONDS:g} s), about as "
              f"much as a process spinning beside it ({busy:.2f}): it is spinning.",
              expected=f"<= {limit:.2f} s CPU per second", got=f"{share:.2f} s CPU per second",
              hint_zh="send 抛出 BlockingIOError（什么也没发出去）不算这一轮“有事发生”：这样的一轮也要 time.sleep(0.001)。",
              hint_en="A send() that raised BlockingIOError (nothing sent) is not something happening in the round: such "
                      "a round must time.sleep(0.001) too.")
        reset(a)
