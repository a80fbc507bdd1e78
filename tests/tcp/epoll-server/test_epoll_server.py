"""tcp/epoll-server: one process, one thread, an edge-triggered epoll loop.

A line echo over real loopback sockets: every complete line comes back unchanged and is
logged as ``<addr>: text`` (shared checks in ``grader.tcpecho``).  What makes this server
model: more than 1024 clients connected at once (beyond select()'s FD_SETSIZE), and
edge-triggered events, which report data or connections once: a server that reads (or
accepts) only once per event strands the rest.  To make "everything arrives at once"
certain rather than a race, those checks pause the server (SIGSTOP) while they send.
"""
from contextlib import ExitStack

import pytest

from grader.feedback import fail
from grader.tcpecho import (
    HOST,
    answer,
    check_client_sees_eof,
    check_fragmented_line,
    check_large_line,
    check_lines_sent_together,
    check_logs_client_exit,
    check_logs_lines,
    check_partial_line_does_not_block,
    check_releases_closed_clients,
    check_survives_reset,
    echo,
    ensure_nofile,
    main_process,
    one_thread_one_process,
    open_client,
    open_file_limit,
    paused,
    serve_many,
    shown,
)

EXIT = "客户端{addr}已退出"
MANY = 1100  # beyond select()'s limit of 1024 descriptors
SERVE_MANY = dict(
    hint_zh="每个新客户端都要 setblocking(False) 并 epoll.register；不要用 select（它只能处理编号小于 1024 的文件描述符）。",
    hint_en="Make every new client non-blocking and epoll.register it; do not use select (it only handles descriptors "
            "numbered below 1024).",
)


def test_echoes_lines_in_order(learner):
    with learner.server("serve", HOST, 0) as srv, ExitStack() as stack:
        client = open_client(srv, stack)
        for line in ["hello", "你好，服务器！", "epoll ✓ " * 60, "bye"]:
            echo(srv, client, line.encode())


def test_logs_lines(learner):
    with learner.server("serve", HOST, 0) as srv, ExitStack() as stack:
        check_logs_lines(srv, stack, hint_zh="每收到完整的一行，print(f\"<{addr_dict[fd]}>: {文本}\", flush=True)，文本不含 \\n。",
                         hint_en="For each complete line, print(f\"<{addr_dict[fd]}>: {text}\", flush=True), text "
                                 "without the \\n.")


def test_logs_client_exit(learner):
    with learner.server("serve", HOST, 0) as srv:
        check_logs_client_exit(
            srv, EXIT, hint_zh="recv 返回 b\"\" 表示客户端关闭了连接：打印 客户端{addr}已退出（flush=True），先 epoll.unregister(fd) "
                               "再关闭套接字。",
            hint_en="recv returning b\"\" means the client closed: print 客户端{addr}已退出 (flush=True), "
                    "epoll.unregister(fd), then close the socket.")


def test_reassembles_fragmented_line(learner):
    with learner.server("serve", HOST, 0) as srv, ExitStack() as stack:
        check_fragmented_line(srv, stack)


def test_splits_lines_sent_together(learner):
    with learner.server("serve", HOST, 0) as srv, ExitStack() as stack:
        check_lines_sent_together(srv, stack)


def test_large_line_echoed_whole(learner):
    with learner.server("serve", HOST, 0) as srv, ExitStack() as stack:
        check_large_line(srv, stack, hint_zh="边沿触发（EPOLLET）只通知一次：每次事件都要循环 recv，直到抛出 BlockingIOError；"
                                             "只读一次的话，剩下的数据要等下一个事件，而它不会来（笔记里的错误）。",
                         hint_en="Edge-triggered (EPOLLET) events come once: on each event recv in a loop until it raises "
                                 "BlockingIOError; read only once and the rest waits for an event that never comes "
                                 "(the notes' bug).")


def test_accepts_burst_of_connections(learner):
    with learner.server("serve", HOST, 0) as srv, ExitStack() as stack:
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
    with learner.server("serve", HOST, 0) as srv, ExitStack() as stack:
        limit = open_file_limit(main_process(srv).pid)
        if limit is not None and limit < MANY + 20:
            pytest.skip(f"the sandbox's open-file limit ({limit}) is too low for {MANY} clients")
        serve_many(srv, MANY, stack, **SERVE_MANY)


def test_partial_line_does_not_block_others(learner):
    with learner.server("serve", HOST, 0) as srv, ExitStack() as stack:
        check_partial_line_does_not_block(
            srv, stack, hint_zh="读到 BlockingIOError 就停下：把不完整的那半行存进这个客户端的缓冲区，回到 epoll.poll()，"
                                "不要等它的后半行。",
            hint_en="Stop reading at BlockingIOError: keep the unfinished half line in this client's buffer and go back "
                    "to epoll.poll(); do not wait for the rest of it.")


def test_one_thread_one_process(learner):
    with learner.server("serve", HOST, 0) as srv, ExitStack() as stack:
        serve_many(srv, 5, stack, **SERVE_MANY)
        one_thread_one_process(srv, 5, hint_zh="这个练习用 epoll 在一个线程里服务所有客户端，不要创建线程或进程。",
                               hint_en="This exercise serves every client with epoll in one thread: do not start threads "
                                       "or processes.")


def test_client_sees_eof(learner):
    with learner.server("serve", HOST, 0) as srv, ExitStack() as stack:
        check_client_sees_eof(srv, stack, hint_zh="recv 返回 b\"\" 时要 epoll.unregister(fd)、close() 这个套接字，并把它从字典里删掉。",
                              hint_en="When recv returns b\"\", epoll.unregister(fd), close() the socket and remove it "
                                      "from your dicts.")


def test_survives_client_reset(learner):
    with learner.server("serve", HOST, 0) as srv, ExitStack() as stack:
        check_survives_reset(srv, stack, EXIT)


def test_releases_closed_clients(learner):
    with learner.server("serve", HOST, 0) as srv:
        check_releases_closed_clients(
            srv, EXIT, 50, hint_zh="客户端离开时：先 epoll.unregister(fd)，再 close() 套接字，并从所有字典里删掉（字典里留着套接字，"
                                   "它就不会被释放）。",
            hint_en="When a client leaves: epoll.unregister(fd) first, then close() the socket, and remove it from every "
                    "dict (a socket left in a dict is never released).", serve_hints=SERVE_MANY)
