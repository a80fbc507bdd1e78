"""tcp/nonblocking-server: one process, one thread, non-blocking sockets polled in a loop.

A line echo over real loopback sockets: every complete line comes back unchanged and is
logged as ``<addr>: text`` (the shared checks of ``kit.echo_suite``, with this exercise's
hints from ``[suite]`` in exercise.toml).  What makes this server model is that a single
thread serves several clients at once, so it is checked with clients that interleave, that
all stay connected, and one that sent only half a line; from outside (psutil) it must be one
process with one thread and give back every closed client's socket.
"""
from contextlib import ExitStack

from kit.echo import echo, open_client
from kit.echo_suite import (  # noqa: F401 - the shared checks this exercise takes
    EchoServer,
    test_client_sees_eof,
    test_echoes_lines_in_order,
    test_idle_server_sleeps,
    test_large_line_echoed_whole,
    test_logs_client_exit,
    test_logs_lines,
    test_one_thread_one_process,
    test_partial_line_does_not_block_others,
    test_reassembles_fragmented_line,
    test_releases_closed_clients,
    test_reply_survives_full_send_buffer,
    test_serves_clients_concurrently,
    test_splits_lines_sent_together,
    test_survives_client_reset,
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
