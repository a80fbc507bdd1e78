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
import struct
import threading
import time
from contextlib import ExitStack

import psutil
import pytest

from grader.feedback import LearnerCrashed, check, fail
from grader.net import _queues, reset
from kit.echo import answer, echo, ensure_nofile, open_client, open_file_limit, paused, serve_many, shown
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
BACKLOG = 128  # the statement's listen(128)


def listen_backlog(port: int) -> int | None:
    """The backlog of the TCP socket listening on ``port`` (the kernel's sk_max_ack_backlog, what
    ``ss -lt`` shows as Send-Q), read with a NETLINK_SOCK_DIAG dump; None if nothing listens."""
    states = 1 << 10  # TCP_LISTEN
    sockid = struct.pack("!HH", 0, 0) + bytes(32) + struct.pack("=III", 0, 0xFFFFFFFF, 0xFFFFFFFF)
    body = struct.pack("=BBBBI", socket.AF_INET, socket.IPPROTO_TCP, 0, 0, states) + sockid
    header = struct.pack("=IHHII", 16 + len(body), 20, 0x1 | 0x300, 1, 0)  # SOCK_DIAG_BY_FAMILY, REQUEST|DUMP
    with socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 4) as nl:  # NETLINK_SOCK_DIAG
        nl.settimeout(5)
        nl.sendall(header + body)
        while True:
            data = nl.recv(1 << 16)
            at = 0
            while at + 16 <= len(data):
                size, kind = struct.unpack_from("=IH", data, at)
                if kind == 3:  # NLMSG_DONE
                    return None
                if kind == 2:  # NLMSG_ERROR
                    raise OSError("sock_diag dump failed")
                state = data[at + 17]
                sport = struct.unpack_from("!H", data, at + 20)[0]
                wqueue = struct.unpack_from("=I", data, at + 16 + 60)[0]
                if state == 10 and sport == port:
                    return wqueue
                at += (size + 3) & ~3


def expected_backlog() -> int:
    """listen(128), as the kernel caps it (net.core.somaxconn)."""
    try:
        with open("/proc/sys/net/core/somaxconn") as f:
            return min(BACKLOG, int(f.read()))
    except (OSError, ValueError):
        return BACKLOG


def test_listens_with_backlog_128(learner):
    es = EchoServer.of(learner.exercise)
    with es.start(learner) as srv:
        got, want = listen_backlog(srv.port), expected_backlog()
        check(got == want, f"监听套接字的 backlog 应是题目要求的 listen({BACKLOG})。",
              f"The listening socket's backlog must be the statement's listen({BACKLOG}).",
              expected=f"backlog {want}", got=f"backlog {got}",
              hint_zh=f"bind 之后调用 ser_socket.listen({BACKLOG})。", hint_en=f"Call ser_socket.listen({BACKLOG}) after bind.")


def no_listener(port: int, timeout: float):
    """Wait until nothing listens on ``port`` any more (the stopped server's process has died)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end and any(
            c.status == psutil.CONN_LISTEN and c.laddr and c.laddr.port == port
            for c in psutil.net_connections(kind="tcp")):
        time.sleep(0.01)  # polling the kernel's socket table, not waiting for time to pass


def test_restarts_on_same_port(learner):
    """The server is stopped while a client is still connected (the server's side of that
    connection stays bound to the port), then a new server starts on the same port at once:
    bind succeeds only with SO_REUSEADDR set before it."""
    es = EchoServer.of(learner.exercise)
    with ExitStack() as stack:
        with es.start(learner) as first:
            echo(first, open_client(first, stack), b"before restart")
            port = first.port
        no_listener(port, learner.timeout())
        try:
            second = learner.server(es.server, HOST, port)
        except LearnerCrashed as exc:
            fail(f"服务器停止后（还有一个客户端连着），立刻在同一端口 {port} 启动新服务器失败。",
                 f"After the server was stopped (with a client still connected), starting a new server on the same "
                 f"port {port} at once failed.", expected=f"serve('{HOST}', {port}) listening",
                 got=exc.en, details=exc.render(),
                 hint_zh="bind 之前 setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)。",
                 hint_en="setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1) before bind.")
        with second:
            echo(second, open_client(second, stack), b"after restart",
                 "在同一端口重启的服务器回显不对。", "The server restarted on the same port echoed wrong.")


def test_logs_reach_a_pipe_at_once(learner):
    """With the server's stdout a block-buffered pipe (not a terminal): a line's log appears while
    its client is connected, and the client's exit line once it has left, while the server runs."""
    es = EchoServer.of(learner.exercise)
    hint = dict(hint_zh="print(..., flush=True)：输出进了管道，不刷新就会留在缓冲区里。",
                hint_en="print(..., flush=True): the output goes into a pipe, and without a flush it stays in the buffer.")
    with learner.server("serve_piped", HOST, 0) as srv:
        with ExitStack() as stack:
            client = open_client(srv, stack)
            echo(srv, client, "你好".encode())
            line = f"<{client.addr}>: 你好"
            seen = srv.stdout.wait_for(lambda text: line in text, srv.timeout)
            check(seen, f"服务器的输出是管道（不是终端）时，客户端还连着，{srv.timeout:g} 秒内没有看到这一行的日志。",
                  f"With the server's output going to a pipe (not a terminal), the log of a line did not appear within "
                  f"{srv.timeout:g} s while its client was still connected.", sent="你好\\n", expected=line,
                  got=srv.stdout.text()[-1000:] or "(没有输出 / no output)", **hint)
        line = es.exit_line.format(addr=client.addr)
        seen = srv.stdout.wait_for(lambda text: line in text, srv.timeout)
        check(seen, f"服务器的输出是管道（不是终端）时，客户端离开后 {srv.timeout:g} 秒内没有看到它的退出消息。",
              f"With the server's output going to a pipe (not a terminal), the exit line of a client that left did not "
              f"appear within {srv.timeout:g} s.", expected=line, got=srv.stdout.text()[-1000:], **hint)


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
            while ((_queues((HOST, srv.port), ("0.0.0.0", 0)) or (0, 0))[1] < 1  # the accept queue holds it
                   and time.monotonic() < end):
                time.sleep(0.002)  # polling the kernel's socket table
            old.send(b"second\n")
            mine, theirs = old.sock.getsockname(), old.sock.getpeername()
            while (_queues(theirs, mine) or (0, 7))[1] < 7 and time.monotonic() < end:
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


def test_survives_reset_before_reply(learner):
    """A client sends a line and crashes (RST) before the server has read it (the server is paused
    meanwhile): the server reads the line, its reply fails (the connection is gone), and it must log
    the client's exit and go on serving."""
    es = EchoServer.of(learner.exercise)
    with es.start(learner) as srv, ExitStack() as stack:
        victim = open_client(srv, stack)
        echo(srv, victim, b"first")
        mine, theirs = victim.sock.getsockname(), victim.sock.getpeername()
        with paused(srv):
            victim.send(b"about to crash\n")
            reset(victim.sock)  # RST right behind the line: the server's side closes, the line still unread
            end = time.monotonic() + srv.timeout
            while _queues(theirs, mine) is not None and time.monotonic() < end:
                time.sleep(0.002)  # polling the kernel's socket table until the RST has closed the server's side
        echo(srv, open_client(srv, stack), b"still there?",
             "一个客户端发来一行后立刻崩溃（RST），之后新客户端的回显不对。",
             "After a client sent a line and crashed at once (RST), a new client's echo was wrong.",
             hint_zh="给这一行回复时 sendall 会抛出 ConnectionResetError / BrokenPipeError：捕获它，当作客户端离开。",
             hint_en="Replying to that line, sendall raises ConnectionResetError / BrokenPipeError: catch it and treat it "
                     "as the client leaving.")
        line = es.exit_line.format(addr=victim.addr)
        seen = srv.stdout.wait_for(lambda text: line in text, srv.timeout)
        check(seen, "一个客户端发来一行后立刻崩溃（RST），服务器没有打印它离开的消息。",
              "After a client sent a line and crashed at once (RST), the server did not print its exit line.",
              sent="about to crash\\n, then RST", expected=line, got=srv.stdout.text()[-1000:],
              hint_zh="sendall 失败（连接已重置）也要当作客户端离开：打印退出消息，关闭并移除这个套接字。",
              hint_en="A failed sendall (connection reset) is the client leaving too: print the exit line, close and "
                      "remove the socket.")


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
