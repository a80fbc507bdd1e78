"""The conformance suite of the tcp unit's concurrent line-echo servers: nonblocking-server,
select-server, epoll-server and socketserver.

A suite's test file imports the checks that apply to it by name (``from kit.echo_suite
import test_logs_lines, ...``; ``as`` gives one another name) and adds its own.  What
differs per exercise comes from the ``[suite]`` table of its exercise.toml
(``exercise.params``)::

    [suite]
    server = "select_server:serve"              # the learner's server function
    exit_line = "客户端{addr}已退出！"            # printed when a client leaves ({addr}: its address)
    long_line = { text = "select ✓ ", times = 60 }  # the long line of test_echoes_lines_in_order
    clients = 200                               # test_serves_clients_concurrently: clients at once
    release_clients = 50                        # test_releases_closed_clients: clients that come and go
    [suite.hints.serve_many]                    # bilingual hints, one table per check (names below)
    zh = "…"
    en = "…"

Hints: ``serve_many`` (whenever clients must be served at once), ``logs_lines``,
``logs_client_exit``, ``large_line``, ``partial_line``, ``one_thread``, ``client_sees_eof``,
``releases_closed_clients``, ``full_send_buffer``, ``idle_cpu``.
"""
from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass

import psutil

from grader.feedback import check, fail
from grader.net import reset, send_in_fragments, tcp_queues, wait_consumed

from .echo import (
    answer,
    echo,
    one_thread_one_process,
    open_client,
    output_tail,
    paused,
    serve_many,
    server_alive,
    shown,
    wait_log,
)
from .lines import (
    HOST,
    SETTLE,
    count,
    expected_backlog,
    fd_kinds,
    listen_backlog,
    main_process,
    restart_on_same_port,
    settle,
)


@dataclass(frozen=True)
class EchoServer:
    """An exercise's ``[suite]`` table, read."""

    server: str
    exit_line: str
    long_line: str
    clients: int
    release_clients: int
    hints: dict

    @classmethod
    def of(cls, exercise) -> EchoServer:
        p = exercise.params
        long_line = p["long_line"]
        return cls(server=p["server"], exit_line=p["exit_line"], long_line=long_line["text"] * long_line["times"],
                   clients=p.get("clients", 10), release_clients=p.get("release_clients", 10), hints=p.get("hints", {}))

    def hint(self, check_name: str) -> dict:
        """``hint_zh`` / ``hint_en`` keyword arguments for a failure of this check."""
        h = self.hints.get(check_name, {})
        return {"hint_zh": h.get("zh"), "hint_en": h.get("en")}

    def start(self, learner):
        """The learner's server, listening on a port the OS picked."""
        return learner.server(self.server, HOST, 0)


def serve_hints(learner) -> dict:
    """The hints of serve_many for this exercise (for its own checks that serve many clients)."""
    return EchoServer.of(learner.exercise).hint("serve_many")


def test_echoes_lines_in_order(learner):
    """Four lines on one connection (one of them long): each comes back unchanged, in order."""
    es = EchoServer.of(learner.exercise)
    with es.start(learner) as srv, ExitStack() as stack:
        client = open_client(srv, stack)
        for line in ["hello", "你好，服务器！", es.long_line, "bye"]:
            echo(srv, client, line.encode())


def test_logs_lines(learner):
    """Two lines from one client: both echoed, both logged as ``<addr>: text``."""
    es = EchoServer.of(learner.exercise)
    lines = ["hello", "你好，服务器！"]
    with es.start(learner) as srv, ExitStack() as stack:
        client = open_client(srv, stack)
        for line in lines:
            echo(srv, client, line.encode())
        wait_log(srv, client.addr, lines, "服务器没有按格式打印收到的行。",
                 "The server did not log the lines it received as required.", sent="\\n".join(lines) + "\\n",
                 **es.hint("logs_lines"))


def test_logs_client_exit(learner):
    """A client says one line and leaves: the server prints its exit line for the client's address."""
    es = EchoServer.of(learner.exercise)
    with es.start(learner) as srv:
        with ExitStack() as stack:
            client = open_client(srv, stack)
            echo(srv, client, b"hi")
        line = es.exit_line.format(addr=client.addr)
        seen = srv.stdout.wait_for(lambda text: line in text, srv.timeout)
        check(seen, "客户端断开后，服务器没有打印它离开的消息。", "After the client left, the server did not print its exit line.",
              expected=line, got=srv.stdout.text()[-1000:] or "(没有输出 / no output)", **es.hint("logs_client_exit"))


def test_reassembles_fragmented_line(learner):
    """One line in 4 fragments (two cuts inside a UTF-8 character), each sent once the server
    has read the previous one: echoed and logged as one whole line."""
    es = EchoServer.of(learner.exercise)
    line = "你好，世界！ hello"
    data = (line + "\n").encode()
    parts = [data[:2], data[2:7], data[7:-3], data[-3:]]
    shown_parts = " + ".join(repr(p) for p in parts)
    with es.start(learner) as srv, ExitStack() as stack:
        client = open_client(srv, stack)
        sent = send_in_fragments(client.sock, parts, srv.timeout)
        if sent != len(parts):
            fail("服务器没有读取分段发送的数据。", "The server did not read the data sent in fragments.",
                 sent=" + ".join(repr(p) for p in parts[:sent]), details=output_tail(srv))
        got = answer(srv, client, data)
        if got != line.encode():
            fail("一行分 4 段到达（有的段在一个汉字的中间断开）时，服务器没有原样发回这一整行。",
                 "When a line arrived in 4 fragments (some cut inside a character), the server did not send back the "
                 "whole line unchanged.", sent=shown_parts, expected=shown(data), got=shown(got + b"\n"),
                 hint_zh="TCP 是字节流：每个客户端用一个缓冲区攒收到的字节，遇到 b\"\\n\" 才处理一行；不要逐块解码。",
                 hint_en="TCP is a stream: keep a buffer per client and handle a line only once its b\"\\n\" arrived; "
                         "do not decode chunk by chunk.")
        wait_log(srv, client.addr, [line], "一行分段到达时，服务器打印的不是完整的一行。",
                 "When a line arrived in fragments, the server did not log it as one whole line.", sent=shown_parts,
                 hint_zh="攒够一整行（遇到 b\"\\n\"）再解码、打印。", hint_en="Decode and log a line only once it is complete.")


def test_splits_lines_sent_together(learner):
    """Three lines in one send (one recv gets them all): three echoes, three log lines."""
    es = EchoServer.of(learner.exercise)
    lines = ["one", "two", "three"]
    data = "".join(line + "\n" for line in lines).encode()
    with es.start(learner) as srv, ExitStack() as stack:
        client = open_client(srv, stack)
        client.send(data)
        got = [answer(srv, client, data) for _ in lines]
        if got != [line.encode() for line in lines]:
            fail("三行一次发出时，回显的行不对。", "When three lines were sent at once, the echoed lines are wrong.",
                 sent=shown(data), expected=lines, got=[shown(g) for g in got])
        wait_log(srv, client.addr, lines, "三行一次发出（一次 recv 就收到了三行）时，服务器应打印三行日志。",
                 "When three lines were sent at once (one recv got all three), the server must log three lines.",
                 sent=shown(data), hint_zh="一次 recv 可能包含好几行：把缓冲区里每一个完整的行都处理掉。",
                 hint_en="One recv may hold several lines: handle every complete line in the buffer.")


def test_large_line_echoed_whole(learner):
    """A 64 KiB line sent at once, all of it waiting when the server wakes: echoed whole."""
    es = EchoServer.of(learner.exercise)
    hint = es.hint("large_line")
    line = "".join(f"{i:05d}," for i in range(10923)).encode()  # 65538 bytes, then the \n
    size = len(line) + 1
    with es.start(learner) as srv, ExitStack() as stack:
        client = open_client(srv, stack)
        with paused(srv):  # the whole line is waiting in the kernel when the server looks next
            client.send(line + b"\n")
        got = answer(srv, client, line + b"\n",
                     stuck_zh=f"一次发出的 {size} 字节的一行在 {srv.timeout:g} 秒内没有被发回。",
                     stuck_en=f"A line of {size} bytes sent at once was not echoed within {srv.timeout:g} s.", **hint)
        if got != line:
            fail(f"一次发出的 {size} 字节的一行没有被原样发回。", f"A line of {size} bytes sent at once did not come back unchanged.",
                 sent=shown(line + b"\n"), expected=shown(line + b"\n"), got=shown(got + b"\n"), **hint)


def test_serves_clients_concurrently(learner):
    """``clients`` clients that all stay connected are each served (see ``kit.echo.serve_many``)."""
    es = EchoServer.of(learner.exercise)
    with es.start(learner) as srv, ExitStack() as stack:
        serve_many(srv, es.clients, stack, **es.hint("serve_many"))


def test_partial_line_does_not_block_others(learner):
    """One client sends half a line (and the server has read it); another is served meanwhile;
    then the first completes its line and gets it back whole."""
    es = EchoServer.of(learner.exercise)
    with es.start(learner) as srv, ExitStack() as stack:
        slow = open_client(srv, stack)
        slow.send("半行 / half a li".encode())
        if not wait_consumed(slow.sock, srv.timeout):
            fail("服务器没有读取客户端发来的数据。", "The server did not read the client's data.", sent="半行 / half a li",
                 details=output_tail(srv))
        other = open_client(srv, stack)  # after the first was served: never two connections arriving together
        echo(srv, other, "另一个客户端 / another client".encode(),
             stuck_zh=f"一个客户端只发了半行时，另一个客户端在 {srv.timeout:g} 秒内没有收到回显：服务器在等那半行。",
             stuck_en=f"While one client had sent only half a line, another got no echo within {srv.timeout:g} s: the "
                      "server waited for the rest of that line.", **es.hint("partial_line"))
        slow.send(b"ne\n")
        got = answer(srv, slow, "半行 / half a line\n".encode())
        if got != "半行 / half a line".encode():
            fail("分两次发完的一行没有被原样发回。", "A line sent in two parts did not come back unchanged.",
                 sent="半行 / half a li + ne\\n", expected="半行 / half a line", got=shown(got))


def test_one_thread_one_process(learner):
    """While 5 clients are connected and served, the server is one process with one thread."""
    es = EchoServer.of(learner.exercise)
    with es.start(learner) as srv, ExitStack() as stack:
        serve_many(srv, 5, stack, **es.hint("serve_many"))
        one_thread_one_process(srv, 5, **es.hint("one_thread"))


def test_client_sees_eof(learner):
    """The client shuts down its sending side: the server closes, the client reads EOF."""
    es = EchoServer.of(learner.exercise)
    hint = es.hint("client_sees_eof")
    with es.start(learner) as srv, ExitStack() as stack:
        client = open_client(srv, stack)
        echo(srv, client, b"last words")
        client.sock.shutdown(socket.SHUT_WR)  # "I am done sending": the server should close its side
        try:
            rest = client.reader.line(srv.timeout)
        except TimeoutError:
            fail(f"客户端关闭发送方向后，{srv.timeout:g} 秒内没有收到服务器关闭连接（EOF）。",
                 f"After the client shut down its sending side, no EOF (server closing) arrived within {srv.timeout:g} s.",
                 **hint)
        check(rest is None, "客户端关闭发送方向后，服务器应关闭连接。", "After the client shut down its sending side, the server "
              "must close the connection.", expected="EOF", got=shown(rest or b""))


def test_survives_client_reset(learner):
    """A client resets its connection (RST, as a crashing client): the server logs it as gone
    and goes on serving."""
    es = EchoServer.of(learner.exercise)
    with es.start(learner) as srv, ExitStack() as stack:
        victim = open_client(srv, stack)
        echo(srv, victim, b"about to crash")
        reset(victim.sock)
        echo(srv, open_client(srv, stack), b"still there?")
        line = es.exit_line.format(addr=victim.addr)
        seen = srv.stdout.wait_for(lambda text: line in text, srv.timeout)
        check(seen, "一个客户端异常断开（RST）后，服务器没有打印它离开的消息。",
              "After a client reset its connection, the server did not print its exit line.",
              expected=line, got=srv.stdout.text()[-1000:], details=srv.stderr.text()[-1500:] or None,
              hint_zh="连接被重置时 recv 抛出 ConnectionResetError：当作客户端离开处理。",
              hint_en="On a reset connection recv raises ConnectionResetError: handle it as the client leaving.")


def test_releases_closed_clients(learner):
    """After ``release_clients`` clients came and went, the server's descriptor count is back to
    its baseline (taken after one client left) and a new client is served."""
    es = EchoServer.of(learner.exercise)
    n = es.release_clients
    with es.start(learner) as srv:
        with ExitStack() as stack:  # one client first: the baseline holds what one finished client leaves
            first = open_client(srv, stack)
            echo(srv, first, b"first")
        srv.stdout.wait_for(lambda text: es.exit_line.format(addr=first.addr) in text, srv.timeout)
        server_alive(srv)
        baseline, before = count(srv, "fds"), fd_kinds(main_process(srv).pid)
        with ExitStack() as stack:
            serve_many(srv, n, stack, **es.hint("serve_many"))
        server_alive(srv)
        now = settle(srv, "fds", baseline)
        check(now <= baseline, f"{n} 个客户端离开 {SETTLE:g} 秒后，服务器打开的文件描述符从 {baseline} 个变成了 {now} 个。",
              f"{SETTLE:g} s after {n} clients left, the server has {now} open file descriptors instead of {baseline}.",
              expected=f"<= {baseline} {before}", got=f"{now} {fd_kinds(main_process(srv).pid)}",
              **es.hint("releases_closed_clients"))
        with ExitStack() as stack:
            echo(srv, open_client(srv, stack), b"one more")


FLOOD_LINE_BYTES = 65536  # each line of test_reply_survives_full_send_buffer, with its \n
FLOOD_LINES = 128  # 8 MiB: twice what the kernel holds for one connection (tcp_wmem max 4 MiB + our receive buffer)
FLOOD_RCVBUF = 65536  # the client's receive buffer, fixed (no autotuning): the kernel holds a known amount


def flood_line(i: int) -> bytes:
    head = f"{i:04d} 洪水 / flood ".encode()
    return head + b"." * (FLOOD_LINE_BYTES - 1 - len(head)) + b"\n"


def test_reply_survives_full_send_buffer(learner):
    """A client sends 8 MiB of lines before it reads anything, so the server's send buffer
    fills and its non-blocking send() takes only part or raises BlockingIOError; then the
    client reads: every byte must come back, in order."""
    es = EchoServer.of(learner.exercise)
    lines = [flood_line(i) for i in range(FLOOD_LINES)]
    data = b"".join(lines)
    size = len(data)
    with es.start(learner) as srv, ExitStack() as stack:
        sock = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, FLOOD_RCVBUF)  # before connect: fixes the window
        sock.settimeout(srv.timeout)
        try:
            sock.connect(srv.address)
        except OSError as exc:
            fail(f"连不上服务器：{exc}", f"Could not connect to the server: {exc}", details=output_tail(srv))
        errors: list[OSError] = []
        progress = [0]  # bytes the server has taken so far

        def send_all():
            try:
                for line in lines:
                    sock.sendall(line)
                    progress[0] += len(line)
            except OSError as exc:
                errors.append(exc)

        sender = threading.Thread(target=send_all, daemon=True)
        sender.start()
        # Read nothing until everything was sent (the server's buffers are full by then), unless
        # the server stops taking our bytes while its replies wait (allowed): then read.
        stalled = srv.timeout / 2
        last, since = -1, time.monotonic()
        while sender.is_alive():
            sender.join(0.05)
            if progress[0] != last:
                last, since = progress[0], time.monotonic()
            elif time.monotonic() - since > stalled:
                break
        got = bytearray()
        end = time.monotonic() + 3 * srv.timeout  # megabytes through Python on a loaded machine
        sock.settimeout(srv.timeout)
        while len(got) < size and time.monotonic() < end:
            try:
                chunk = sock.recv(1 << 20)
            except (TimeoutError, OSError):
                break
            if not chunk:
                break
            got += chunk
        sender.join(srv.timeout)
        if bytes(got) != data:
            right = 0  # whole lines that came back right, from the first
            while right < FLOOD_LINES and got[right * FLOOD_LINE_BYTES:(right + 1) * FLOOD_LINE_BYTES] == lines[right]:
                right += 1
            same_prefix = right * FLOOD_LINE_BYTES
            fail(f"客户端先连续发出 {size} 字节（{FLOOD_LINES} 行，每行 {FLOOD_LINE_BYTES} 字节）再开始读，"
                 f"只收回了 {len(got)} 字节，前 {same_prefix} 字节正确。",
                 f"A client sent {size} bytes ({FLOOD_LINES} lines of {FLOOD_LINE_BYTES} bytes) before reading "
                 f"anything, then got back only {len(got)} bytes, the first {same_prefix} of them right.",
                 sent=f"{FLOOD_LINES} lines, {size} bytes, before reading", expected=f"the same {size} bytes, in order",
                 got=f"{len(got)} bytes; {same_prefix} right" + (f"; sender: {errors[0]}" if errors else ""),
                 details=output_tail(srv), **es.hint("full_send_buffer"))


IDLE_SECONDS = 1.5  # how long the idle server is watched
IDLE_CPU_FLOOR = 0.1  # CPU seconds per second an idle server may always use (the reference: about 0.04)


def spin_share(seconds: float, measured) -> tuple[float, float]:
    """Run a process that only spins beside ``measured`` (a callable giving CPU seconds) for
    ``seconds``: (CPU share the spinner got, CPU share ``measured`` used), over the same window.
    On a loaded machine a busy loop gets less than a whole core; the spinner shows how much."""
    spinner = subprocess.Popen([sys.executable, "-I", "-S", "-c", "while True: pass"])
    try:
        proc = psutil.Process(spinner.pid)
        spin0, cpu0, start = sum(proc.cpu_times()[:2]), measured(), time.monotonic()
        time.sleep(seconds)  # the measurement's window: nothing is sent to the server meanwhile
        spin1, cpu1, spent = sum(proc.cpu_times()[:2]), measured(), time.monotonic() - start
    finally:
        spinner.kill()
        spinner.wait()
    return (spin1 - spin0) / spent, (cpu1 - cpu0) / spent


def test_idle_server_sleeps(learner):
    """With a client connected and nothing to do, the server's process tree (the kernel's count,
    read from outside) uses far less CPU than a process that spins beside it over the same
    window: an idle round must wait, not loop at once."""
    es = EchoServer.of(learner.exercise)
    with es.start(learner) as srv, ExitStack() as stack:
        client = open_client(srv, stack)
        echo(srv, client, b"then silence")
        server_alive(srv)
        busy, share = spin_share(IDLE_SECONDS, srv.cpu_seconds)
        limit = max(IDLE_CPU_FLOOR, busy / 2)
        check(share <= limit,
              f"一个客户端连着但什么都不发时，服务器每秒用了 {share:.2f} 秒 CPU（{IDLE_SECONDS:g} 秒内），"
              f"和同时运行的一个空转进程（每秒 {busy:.2f} 秒）差不多：它在空转。",
              f"With one client connected and silent, the server used {share:.2f} s of CPU per second (over "
              f"{IDLE_SECONDS:g} s), about as much as a process spinning beside it ({busy:.2f}): it is spinning.",
              sent="then silence\\n, then nothing", expected=f"<= {limit:.2f} s CPU per second",
              got=f"{share:.2f} s CPU per second", **es.hint("idle_cpu"))
        echo(srv, client, b"still there?")


# -- listen(128), restarting on the same port, flushed logs, a reset before the reply ----------
BACKLOG = 128  # the statements' listen(128) (select, epoll, nonblocking)


def test_listens_with_backlog_128(learner):
    es = EchoServer.of(learner.exercise)
    with es.start(learner) as srv:
        got, want = listen_backlog(srv.port), expected_backlog(BACKLOG)
        check(got == want, f"监听套接字的 backlog 应是题目要求的 listen({BACKLOG})。",
              f"The listening socket's backlog must be the statement's listen({BACKLOG}).",
              expected=f"backlog {want}", got=f"backlog {got}",
              hint_zh=f"bind 之后调用 ser_socket.listen({BACKLOG})。", hint_en=f"Call ser_socket.listen({BACKLOG}) after bind.")


def test_restarts_on_same_port(learner):
    """The server is stopped while a client is still connected (the server's side of that
    connection stays bound to the port), then a new server starts on the same port at once:
    bind succeeds only with SO_REUSEADDR set before it."""
    es = EchoServer.of(learner.exercise)
    with ExitStack() as stack:
        with es.start(learner) as first:
            echo(first, open_client(first, stack), b"before restart")
            port = first.port
        second = restart_on_same_port(learner, es.server, port)
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
            while tcp_queues(theirs, mine) is not None and time.monotonic() < end:
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
