"""tcp/epoll-server: one process, one thread, an edge-triggered epoll loop.

A line echo over real loopback sockets: every complete line comes back unchanged and is
logged as ``<addr>: text`` (the shared checks of ``kit.echo_suite``, with this exercise's
hints from ``[suite]`` in exercise.toml).  What makes this server model: more than 1024
clients connected at once (beyond select()'s FD_SETSIZE), and edge-triggered events, which
report data or connections once: a server that reads (or accepts) only once per event
strands the rest.  To make "everything arrives at once" certain rather than a race, those
checks pause the server (SIGSTOP) while they send.
"""
import os
import socket
import threading
import time
from contextlib import ExitStack

import psutil
import pytest

from grader.feedback import check, fail
from grader.net import reset, tcp_queues
from kit.echo import answer, echo, ensure_nofile, open_client, open_file_limit, paused, serve_many, shown
from kit.echo_suite import (  # noqa: F401 - the shared checks this exercise takes
    EchoServer,
    test_client_sees_eof,
    test_echoes_lines_in_order,
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
    test_splits_lines_sent_together,
    test_survives_client_reset,
    test_survives_reset_before_reply,
)
from kit.lines import HOST, main_process

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


# -- this exercise's own checks: the listen backlog, SO_REUSEADDR, flushed log lines ---------


EPOLLIN, EPOLLOUT, EPOLLET = 0x1, 0x4, 1 << 31
MASK_NAMES = {EPOLLIN: "EPOLLIN", EPOLLOUT: "EPOLLOUT", EPOLLET: "EPOLLET"}


def mask_text(mask: int | None) -> str:
    if mask is None:
        return "(not registered / 没有注册)"
    return " | ".join(name for bit, name in MASK_NAMES.items() if mask & bit) or "0"


def epoll_registrations(pid: int) -> dict[int, int]:
    """fd -> event mask of what every epoll instance of the process watches (/proc/pid/fdinfo)."""
    regs = {}
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}") != "anon_inode:[eventpoll]":
                continue
            with open(f"/proc/{pid}/fdinfo/{fd}") as f:
                for line in f:
                    if line.startswith("tfd:"):
                        parts = line.split()
                        regs[int(parts[1])] = int(parts[3], 16)
        except OSError:
            continue
    return regs


def test_registers_edge_triggered(learner):
    """With 2 clients connected and served, the kernel's view of the server's epoll (its fdinfo):
    the listening socket watched with EPOLLIN | EPOLLET, each client with EPOLLIN | EPOLLOUT | EPOLLET."""
    es = EchoServer.of(learner.exercise)
    with es.start(learner) as srv, ExitStack() as stack:
        for i in range(2):
            echo(srv, open_client(srv, stack), f"client {i + 1}".encode())
        main = main_process(srv)
        conns = [c for c in main.net_connections(kind="tcp") if c.fd != -1]
        regs = epoll_registrations(main.pid)
        wanted = [(c.fd, EPOLLIN | EPOLLET if c.status == psutil.CONN_LISTEN else EPOLLIN | EPOLLOUT | EPOLLET,
                   "监听套接字 / listening socket" if c.status == psutil.CONN_LISTEN else f"客户端 / client {c.raddr}")
                  for c in conns if c.status in (psutil.CONN_LISTEN, psutil.CONN_ESTABLISHED)]
        wrong = [f"{who}: {mask_text(regs[fd] & (EPOLLIN | EPOLLOUT | EPOLLET) if fd in regs else None)}"
                 for fd, want, who in wanted if fd not in regs or regs[fd] & (EPOLLIN | EPOLLOUT | EPOLLET) != want]
        check(not wrong, "服务器的 epoll 注册的事件不对：监听套接字应是 EPOLLIN | EPOLLET，每个客户端应是 "
              "EPOLLIN | EPOLLOUT | EPOLLET（边沿触发）。",
              "The server's epoll watches the wrong events: the listening socket must be registered with EPOLLIN | "
              "EPOLLET, every client with EPOLLIN | EPOLLOUT | EPOLLET (edge-triggered).",
              expected="listening: EPOLLIN | EPOLLET; clients: EPOLLIN | EPOLLOUT | EPOLLET", got="; ".join(wrong),
              hint_zh="epoll.register(ser_socket.fileno(), select.EPOLLIN | select.EPOLLET)；每个新客户端 "
                      "epoll.register(fd, select.EPOLLIN | select.EPOLLOUT | select.EPOLLET)。",
              hint_en="epoll.register(ser_socket.fileno(), select.EPOLLIN | select.EPOLLET); every new client "
                      "epoll.register(fd, select.EPOLLIN | select.EPOLLOUT | select.EPOLLET).")


def wait_idle_in_epoll(srv, timeout: float):
    """Wait until the server sleeps in epoll_wait: every event before now has been taken."""
    pid, end = main_process(srv).pid, time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with open(f"/proc/{pid}/wchan") as f:
                where = f.read().strip()
            with open(f"/proc/{pid}/stat") as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            return
        if state == "S" and "epoll" in where:
            return
        if where in ("", "0"):
            return  # the kernel does not say where it sleeps here
        time.sleep(0.002)  # polling the process's state, not waiting for time to pass


def test_connection_and_line_in_one_wakeup(learner):
    """While the server is paused, a new client connects (the listening socket becomes ready first)
    and then a connected client sends a line: one epoll.poll() reports both, the listening socket
    first. Both must be handled: the line echoed, the new client served."""
    es = EchoServer.of(learner.exercise)
    with es.start(learner) as srv, ExitStack() as stack:
        old = open_client(srv, stack)
        echo(srv, old, b"first")
        wait_idle_in_epoll(srv, srv.timeout)
        with paused(srv):
            new = open_client(srv, stack)
            end = time.monotonic() + srv.timeout
            while ((tcp_queues((HOST, srv.port), ("0.0.0.0", 0)) or (0, 0))[1] < 1  # the accept queue holds it
                   and time.monotonic() < end):
                time.sleep(0.002)  # polling the kernel's socket table
            old.send(b"second\n")
            mine, theirs = old.sock.getsockname(), old.sock.getpeername()
            while (tcp_queues(theirs, mine) or (0, 7))[1] < 7 and time.monotonic() < end:
                time.sleep(0.002)  # until the line waits in the server's receive queue
        got = answer(srv, old, b"second\n",
                     stuck_zh="服务器暂停时先来了一个新连接、然后一个已连接的客户端发来一行（同一次 poll 报告两个事件）："
                              f"这一行在 {srv.timeout:g} 秒内没有被发回。",
                     stuck_en="While the server was paused, a new connection came and then a connected client sent a "
                              f"line (one poll reports both): the line was not echoed within {srv.timeout:g} s.",
                     hint_zh="处理完监听套接字的事件后要接着处理同一次 poll 返回的其他事件（用 continue，不要 break）："
                             "边沿触发的事件丢了就不会再来。",
                     hint_en="After the listening socket's event, go on with the other events the same poll returned "
                             "(continue, not break): an edge-triggered event that is dropped never comes again.")
        check(got == b"second", "回显不对。", "Wrong echo.", sent="second\\n", expected="second\\n", got=shown(got))
        echo(srv, new, b"new client")


FLOOD_LINE = 65536  # bytes per line (with its \n)
FLOOD_LINES = 128  # 8 MiB: more than the kernel holds for one connection (tcp_wmem max 4 MiB + the receive buffer)


def test_full_client_does_not_block_others(learner):
    """Client A sends 8 MiB of lines and reads none of the replies, so the server's send buffer
    towards A fills and its send() raises BlockingIOError. Once A's sending is done (or the server
    stopped taking A's bytes, which is allowed), client B sends a line: B must get its echo while
    A still reads nothing."""
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
        stalled = srv.timeout / 2  # the server may stop taking A's bytes while A's replies wait
        last, since = -1, time.monotonic()
        while sender.is_alive():
            sender.join(0.05)
            if progress[0] != last:
                last, since = progress[0], time.monotonic()
            elif time.monotonic() - since > stalled:
                break
        b = open_client(srv, stack)
        echo(srv, b, b"am I served?",
             stuck_zh=f"客户端 A 发了 {progress[0]} 字节却一直不读回复（服务器发给它的缓冲区满了）时，客户端 B 在 "
                      f"{srv.timeout:g} 秒内没有收到回显：服务器卡在给 A 发送上。",
             stuck_en=f"While client A had sent {progress[0]} bytes and read none of the replies (the server's send "
                      f"buffer towards A is full), client B got no echo within {srv.timeout:g} s: the server is stuck "
                      "sending to A.",
             hint_zh="send 抛出 BlockingIOError 时不要原地重试：把没发完的留在待发缓冲区，回到 epoll.poll()，等 EPOLLOUT 再发。",
             hint_en="When send raises BlockingIOError, do not retry on the spot: keep the rest in the client's outgoing "
                     "buffer, go back to epoll.poll() and send it on EPOLLOUT.")
        reset(a)
