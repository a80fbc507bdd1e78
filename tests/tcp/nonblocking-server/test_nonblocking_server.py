"""tcp/nonblocking-server: one process, one thread, non-blocking sockets polled in a loop.

A line echo over real loopback sockets: every complete line comes back unchanged and is
logged as ``<addr>: text`` (the shared checks of ``kit.echo_suite``, with this exercise's
hints from ``[suite]`` in exercise.toml).  What makes this server model is that a single
thread serves several clients at once, so it is checked with clients that interleave, that
all stay connected, and one that sent only half a line; from outside (psutil) it must be one
process with one thread and give back every closed client's socket.
"""
import socket
import struct
import threading
import time
from contextlib import ExitStack

import psutil

from grader.feedback import LearnerCrashed, check, fail
from grader.net import _queues, reset, wait_consumed
from kit.echo import echo, open_client, paused, server_alive
from kit.echo_suite import (  # noqa: F401 - the shared checks this exercise takes
    IDLE_CPU_FLOOR,
    IDLE_SECONDS,
    EchoServer,
    spin_share,
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
from kit.lines import HOST


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
