"""tcp/select-server: one process, one thread, select.select() over every socket.

A line echo over real loopback sockets: every complete line comes back unchanged and is
logged as ``<addr>: text`` (the shared checks of ``kit.echo_suite``, with this exercise's
hints from ``[suite]`` in exercise.toml).  What makes this server model: 200 clients
connected and served at once by a single thread, a client with half a line that must not
hold up the others, and closed clients removed from the select list (their descriptors
given back, and the server still serving).
"""
import socket
import struct
import time
from contextlib import ExitStack

import psutil

from grader.feedback import LearnerCrashed, check, fail
from grader.net import _queues, reset
from kit.echo import echo, open_client, paused
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
    test_splits_lines_sent_together,
    test_survives_client_reset,
)
from kit.echo_suite import test_releases_closed_clients as test_removes_closed_clients  # noqa: F401
from kit.echo_suite import test_serves_clients_concurrently as test_serves_200_clients_at_once  # noqa: F401
from kit.lines import HOST

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
