"""tcp/epoll-server: one process, one thread, an edge-triggered epoll loop.

A line echo over real loopback sockets: every complete line comes back unchanged and is
logged as ``<addr>: text`` (the shared checks of ``kit.echo_suite``, with this exercise's
hints from ``[suite]`` in exercise.toml).  What makes this server model: more than 1024
clients connected at once (beyond select()'s FD_SETSIZE), and edge-triggered events, which
report data or connections once: a server that reads (or accepts) only once per event
strands the rest.  To make "everything arrives at once" certain rather than a race, those
checks pause the server (SIGSTOP) while they send.
"""
from contextlib import ExitStack

import pytest

from grader.feedback import fail
from kit.echo import answer, ensure_nofile, open_client, open_file_limit, paused, serve_many, shown
from kit.echo_suite import (  # noqa: F401 - the shared checks this exercise takes
    EchoServer,
    test_client_sees_eof,
    test_echoes_lines_in_order,
    test_large_line_echoed_whole,
    test_logs_client_exit,
    test_logs_lines,
    test_one_thread_one_process,
    test_partial_line_does_not_block_others,
    test_reassembles_fragmented_line,
    test_releases_closed_clients,
    test_reply_survives_full_send_buffer,
    test_splits_lines_sent_together,
    test_survives_client_reset,
)
from kit.lines import main_process

MANY = 1100  # beyond select()'s limit of 1024 descriptors


def test_accepts_burst_of_connections(learner):
    with EchoServer.of(learner.exercise).start(learner) as srv, ExitStack() as stack:
        with paused(srv):  # five clients connect and talk while the server is busy: one event for all of them
            clients = [open_client(srv, stack) for _ in range(5)]
            for i, client in enumerate(clients):
                client.send(f"同时到达 / arrived together {i + 1}\n".encode())
        for i, client in enumerate(clients):
            msg = f"同时到达 / arrived together {i + 1}\n".encode()
            got = answer(srv, client, msg,
                         stuck_zh=f"5 个客户端在服务器忙的时候同时连上，第 {i + 1} 个在 {srv.timeout:g} 秒内没有收到回显。",
                         stuck_en=f"5 clients connected together while the server was busy; client {i + 1} got no echo "
                                  f"within {srv.timeout:g} s.",
                         hint_zh="监听套接字也是边沿触发：一个事件可能代表好几个等待的连接，要循环 accept 直到 BlockingIOError"
                                 "（监听套接字要 setblocking(False)）。",
                         hint_en="The listening socket is edge-triggered too: one event may stand for several waiting "
                                 "connections, so accept in a loop until BlockingIOError (make the listening socket "
                                 "non-blocking).")
            if got + b"\n" != msg:
                fail(f"第 {i + 1} 个客户端收到的回显不对。", f"Client {i + 1} got the wrong echo.", sent=shown(msg),
                     expected=shown(msg), got=shown(got + b"\n"))


def test_more_than_1024_clients(learner):
    ensure_nofile(MANY + 200)
    es = EchoServer.of(learner.exercise)
    with es.start(learner) as srv, ExitStack() as stack:
        limit = open_file_limit(main_process(srv).pid)
        if limit is not None and limit < MANY + 20:
            pytest.skip(f"the sandbox's open-file limit ({limit}) is too low for {MANY} clients")
        serve_many(srv, MANY, stack, **es.hint("serve_many"))
