"""Helpers shared by the concurrent line-echo servers of the tcp unit: nonblocking-server,
select-server, epoll-server and socketserver.

Their protocol: lines of UTF-8 text ending in ``\\n``; the server sends every complete line
back unchanged and logs it as ``<addr>: text``.  What these suites add to ``tcplines``: many
clients holding their connections at once (connecting one after another, so neither a short
listen backlog nor connections arriving together is what is measured), the server's own log
lines per client, pausing the server (SIGSTOP) so that data or connections arrive while it
is busy, the exception that ended a crashed server, and the one-thread / one-process check.
"""
from __future__ import annotations

import contextlib
import resource
import socket
import time
from dataclasses import dataclass

import psutil
import pytest

from .feedback import check, fail, learner_traceback
from .net import reset, send_in_fragments, wait_consumed
from .tcplines import HOST, SETTLE, LineReader, count, fd_kinds, main_process, output_tail, settle
from .tcplines import shown as _shown

__all__ = [
    "HOST", "SETTLE", "Client", "open_client", "answer", "echo", "serve_many", "log_texts", "wait_log", "paused",
    "stacks", "crash_details", "server_alive", "one_thread_one_process", "ensure_nofile", "open_file_limit", "count", "settle", "fd_kinds", "main_process", "output_tail",
    "shown", "check_logs_lines", "check_logs_client_exit", "check_fragmented_line", "check_lines_sent_together",
    "check_large_line", "check_partial_line_does_not_block", "check_client_sees_eof", "check_survives_reset",
    "check_releases_closed_clients",
]


def shown(data) -> str:
    """Bytes or text as a learner reads it, newlines written as \\n (they end every message here)."""
    return _shown(data).replace("\n", "\\n")


@dataclass
class Client:
    sock: socket.socket
    reader: LineReader
    addr: tuple  # what the server's accept() returned for it: our own (host, port)

    def send(self, data: bytes):
        self.sock.sendall(data)


def open_client(srv, stack: contextlib.ExitStack) -> Client:
    """A client connected to the learner server; refused (the server died): a failure that
    shows why it died."""
    sock = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
    sock.settimeout(srv.timeout)
    try:
        sock.connect(srv.address)
    except TimeoutError:
        raise  # the server turns this into a hang report
    except OSError as exc:
        fail(f"连不上服务器：{exc}", f"Could not connect to the server: {exc}",
             hint_zh="服务器是不是已经退出了？它必须一直运行、一直 accept。",
             hint_en="Did the server end? It must keep running and accepting.", details=crash_details(srv))
    return Client(sock, LineReader(sock), sock.getsockname())


def server_alive(srv):
    """Fail, showing why, if the server's process has ended."""
    if not srv.alive():
        fail("服务器进程已经结束了。", "The server's process has ended.", details=crash_details(srv))


def crash_details(srv, keep: int = 800) -> str | None:
    """When a connection broke: the exception that ended the server, if it ended (the probe
    reports it on the result channel, not on stderr), then the tails of its output."""
    kind, payload = srv.proc.result(0.3)  # written before the process exits, so it is there if it died
    parts = []
    if kind == "error":
        tb = learner_traceback(payload.get("traceback", "")).replace(srv.proc.workdir + "/", f"{srv.learner.exercise.id}/")
        parts.append("服务器因异常结束 / the server ended with:\n" + (tb.strip() or f"{payload['type']}: {payload['message']}"))
    elif kind == "exit":
        parts.append(f"服务器进程已退出（退出码 {payload}）/ the server's process exited (code {payload})")
    tail = output_tail(srv, keep=keep)
    if tail:
        parts.append(tail)
    return "\n".join(parts) or None


def answer(srv, client: Client, sent: bytes, *, timeout: float | None = None, stuck_zh: str | None = None,
           stuck_en: str | None = None, hint_zh: str | None = None, hint_en: str | None = None) -> bytes:
    """The next reply line (without ``\\n``).  No reply in time: a hang report, or, when
    ``stuck_zh``/``stuck_en`` are given, a failure showing where the server was waiting
    (the server is alive, it just never answers this client: the other checks still run).
    A closed connection fails with the server's output (its traceback, if it crashed)."""
    limit = timeout or srv.timeout
    try:
        line = client.reader.line(limit)
    except TimeoutError:
        if stuck_zh is None:
            raise
        fail(stuck_zh, stuck_en, sent=shown(sent), expected=shown(sent), got=f"(no reply within {limit:g} s)",
             hint_zh=hint_zh, hint_en=hint_en, details=stacks(srv))
    if line is None:
        why = f" ({client.reader.error})" if client.reader.error else ""
        fail(f"服务器没有回复就关闭了连接{why}。", f"The server closed the connection without replying{why}.",
             sent=shown(sent), expected=shown(sent), details=crash_details(srv))
    return line


def echo(srv, client: Client, line: bytes, zh: str = "回显不对：应原样发回收到的那一行（包括结尾的 \\n）。",
         en: str = "Wrong echo: send back exactly the line received (with its \\n).", **stuck):
    """Send one line (``line`` without its ``\\n``) and require it back unchanged."""
    client.send(line + b"\n")
    got = answer(srv, client, line + b"\n", **stuck)
    if got != line:
        fail(zh, en, sent=shown(line + b"\n"), expected=shown(line + b"\n"), got=shown(got + b"\n"),
             details=output_tail(srv))


def serve_many(srv, n: int, stack: contextlib.ExitStack, *, hint_zh: str, hint_en: str, batch: int = 1) -> list[Client]:
    """``n`` clients that all stay connected, each sends a line and must get its echo.

    Clients connect in batches of ``batch``, each batch answered before the next connects.
    One at a time (the default) keeps this check about concurrency alone: a short listen
    backlog (socketserver's default 5, the notes' listen(5)) never overflows (which costs a
    1 s SYN retransmission), and connections never arrive together, which would make an
    accept-once-per-event bug (checked on its own, deterministically) fail here by chance.
    Then every client, all still connected, sends a second line (all sent first, then all
    read): each must be answered while the others hold their connections, which a server
    serving one client at a time cannot do.  Fails (not a hang) when only some are served.
    """
    clients: list[Client] = []

    def collect(group, round_no: int, connected: int):
        end = time.monotonic() + srv.timeout
        for i, c, msg in group:
            try:
                got = answer(srv, c, msg, timeout=max(0.1, end - time.monotonic()))
            except TimeoutError:
                if i == 0 and round_no == 1:
                    raise  # not even the first client was answered: the server hangs
                fail(f"同时连着 {connected} 个客户端时，第 {i + 1} 个客户端（第 {round_no} 轮）在 {srv.timeout:g} 秒内"
                     "没有收到回显。",
                     f"With {connected} clients connected, client {i + 1} (round {round_no}) got no echo within "
                     f"{srv.timeout:g} s.",
                     sent=shown(msg), expected=shown(msg), hint_zh=hint_zh, hint_en=hint_en, details=stacks(srv))
            if got + b"\n" != msg:
                fail(f"第 {i + 1} 个客户端（第 {round_no} 轮）收到的回显不对。", f"Client {i + 1} (round {round_no}) got the wrong echo.",
                     sent=shown(msg), expected=shown(msg), got=shown(got + b"\n"), details=output_tail(srv))

    for first in range(0, n, batch):
        group = []
        for i in range(first, min(n, first + batch)):
            c = open_client(srv, stack)
            msg = f"客户端 {i + 1} / client {i + 1}\n".encode()
            c.send(msg)
            group.append((i, c, msg))
        collect(group, 1, first + len(group))
        clients += [c for _, c, _ in group]
    group = []
    for i in reversed(range(n)):
        msg = f"再来一次 / again {i + 1}\n".encode()
        try:
            clients[i].send(msg)
        except OSError as exc:
            fail(f"第 {i + 1} 个客户端的连接已被服务器断开：{exc}", f"Client {i + 1}'s connection was dropped by the server: {exc}",
                 sent=shown(msg), details=crash_details(srv))
        group.append((i, clients[i], msg))
    collect(group, 2, n)
    return clients


def log_texts(output: str, addr) -> list[str]:
    """The texts the server logged for the client at ``addr``: its ``<addr>: text`` lines."""
    prefix = f"<{addr}>: "
    return [line[len(prefix):] for line in output.splitlines() if line.startswith(prefix)]


def wait_log(srv, addr, expected: list[str], zh: str, en: str, **kw):
    """Wait until the server logged ``len(expected)`` lines for ``addr``; they must be ``expected``."""
    srv.stdout.wait_for(lambda text: len(log_texts(text, addr)) >= len(expected), srv.timeout)
    got = log_texts(srv.stdout.text(), addr)
    if got[:len(expected)] != expected:
        prefix = f"<{addr}>: "
        fail(zh, en, expected="\n".join(prefix + t for t in expected),
             got=srv.stdout.text()[-1200:] or "(没有输出 / no output)", **kw)


@contextlib.contextmanager
def paused(srv):
    """Stop the server's processes (SIGSTOP) for the block: whatever the test sends or connects
    meanwhile is waiting all at once when the server wakes up, as it does for a server that was
    busy with other clients.  Deterministic, unlike racing the server."""
    main, kids = srv.processes()
    procs = ([main] if main else []) + kids
    for p in procs:
        with contextlib.suppress(psutil.Error):
            p.suspend()
    end = time.monotonic() + srv.timeout
    for p in procs:  # SIGSTOP takes effect at the process's next return to user space
        while time.monotonic() < end:
            try:
                if p.status() in (psutil.STATUS_STOPPED, psutil.STATUS_ZOMBIE):
                    break
            except psutil.Error:
                break
            time.sleep(0.002)  # polling the process state, not waiting for time to pass
    try:
        yield
    finally:
        for p in procs:
            with contextlib.suppress(psutil.Error):
                p.resume()


def stacks(srv) -> str:
    """Where the server's threads are right now (it keeps running): for "never answered"."""
    dump = learner_traceback(srv.proc.stack_dump()).replace(srv.proc.workdir + "/", f"{srv.learner.exercise.id}/").strip()
    text = "服务器此时所在位置 / where the server is waiting:\n" + (dump or "(none)")
    tail = output_tail(srv, keep=800)
    return text + ("\n" + tail if tail else "")


def one_thread_one_process(srv, n: int, hint_zh: str, hint_en: str):
    """While ``n`` clients are connected and served, the server is one process with one thread."""
    server_alive(srv)
    main = main_process(srv)
    _, kids = srv.processes()
    threads = count(srv, "threads")
    check(threads == 1 and not kids,
          f"{n} 个客户端同时连着时，服务器应只有一个进程、一个线程。",
          f"While {n} clients are connected, the server must be one process with one thread.",
          expected="1 process, 1 thread", got=f"{1 + len(kids)} process(es) (pid {main.pid} + {[k.pid for k in kids]}), "
                                              f"{threads} thread(s) in the main process",
          hint_zh=hint_zh, hint_en=hint_en)


def ensure_nofile(need: int):
    """Let this (grading) process hold ``need`` descriptors: raise its soft limit up to the hard
    one if necessary, or skip the check where the machine does not allow it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft >= need:
        return
    if hard != resource.RLIM_INFINITY and hard < need:
        pytest.skip(f"this machine's open-file limit ({hard}) is below the {need} this check needs")
    resource.setrlimit(resource.RLIMIT_NOFILE, (need, hard))


# -- checks shared by the line-echo servers (each suite passes its own hints) ------------------
def check_logs_lines(srv, stack, hint_zh: str, hint_en: str):
    """Two lines from one client: both echoed, both logged as ``<addr>: text``."""
    lines = ["hello", "你好，服务器！"]
    client = open_client(srv, stack)
    for line in lines:
        echo(srv, client, line.encode())
    wait_log(srv, client.addr, lines, "服务器没有按格式打印收到的行。", "The server did not log the lines it received as required.",
             sent="\\n".join(lines) + "\\n", hint_zh=hint_zh, hint_en=hint_en)


def check_logs_client_exit(srv, exit_line: str, hint_zh: str, hint_en: str):
    """A client says one line and leaves: the server prints ``exit_line`` for its address."""
    with contextlib.ExitStack() as stack:
        client = open_client(srv, stack)
        echo(srv, client, b"hi")
    line = exit_line.format(addr=client.addr)
    seen = srv.stdout.wait_for(lambda text: line in text, srv.timeout)
    check(seen, "客户端断开后，服务器没有打印它离开的消息。", "After the client left, the server did not print its exit line.",
          expected=line, got=srv.stdout.text()[-1000:] or "(没有输出 / no output)", hint_zh=hint_zh, hint_en=hint_en)


def check_fragmented_line(srv, stack):
    """One line in 4 fragments (two cuts inside a UTF-8 character), each sent once the server
    has read the previous one: echoed and logged as one whole line."""
    line = "你好，世界！ hello"
    data = (line + "\n").encode()
    parts = [data[:2], data[2:7], data[7:-3], data[-3:]]
    shown_parts = " + ".join(repr(p) for p in parts)
    client = open_client(srv, stack)
    sent = send_in_fragments(client.sock, parts, srv.timeout)
    if sent != len(parts):
        fail("服务器没有读取分段发送的数据。", "The server did not read the data sent in fragments.",
             sent=" + ".join(repr(p) for p in parts[:sent]), details=output_tail(srv))
    got = answer(srv, client, data)
    if got != line.encode():
        fail("一行分 4 段到达（有的段在一个汉字的中间断开）时，服务器没有原样发回这一整行。",
             "When a line arrived in 4 fragments (some cut inside a character), the server did not send back the whole "
             "line unchanged.", sent=shown_parts, expected=shown(data), got=shown(got + b"\n"),
             hint_zh="TCP 是字节流：每个客户端用一个缓冲区攒收到的字节，遇到 b\"\\n\" 才处理一行；不要逐块解码。",
             hint_en="TCP is a stream: keep a buffer per client and handle a line only once its b\"\\n\" arrived; do not "
                     "decode chunk by chunk.")
    wait_log(srv, client.addr, [line], "一行分段到达时，服务器打印的不是完整的一行。",
             "When a line arrived in fragments, the server did not log it as one whole line.", sent=shown_parts,
             hint_zh="攒够一整行（遇到 b\"\\n\"）再解码、打印。", hint_en="Decode and log a line only once it is complete.")


def check_lines_sent_together(srv, stack):
    """Three lines in one send (one recv gets them all): three echoes, three log lines."""
    lines = ["one", "two", "three"]
    data = "".join(line + "\n" for line in lines).encode()
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


def check_large_line(srv, stack, hint_zh: str, hint_en: str):
    """A 64 KiB line sent at once, all of it waiting when the server wakes: echoed whole."""
    line = "".join(f"{i:05d}," for i in range(10923)).encode()  # 65538 bytes, then the \n
    size = len(line) + 1
    client = open_client(srv, stack)
    with paused(srv):  # the whole line is waiting in the kernel when the server looks next
        client.send(line + b"\n")
    got = answer(srv, client, line + b"\n",
                 stuck_zh=f"一次发出的 {size} 字节的一行在 {srv.timeout:g} 秒内没有被发回。",
                 stuck_en=f"A line of {size} bytes sent at once was not echoed within {srv.timeout:g} s.",
                 hint_zh=hint_zh, hint_en=hint_en)
    if got != line:
        fail(f"一次发出的 {size} 字节的一行没有被原样发回。", f"A line of {size} bytes sent at once did not come back unchanged.",
             sent=shown(line + b"\n"), expected=shown(line + b"\n"), got=shown(got + b"\n"), hint_zh=hint_zh, hint_en=hint_en)


def check_partial_line_does_not_block(srv, stack, hint_zh: str, hint_en: str):
    """One client sends half a line (and the server has read it); another is served meanwhile;
    then the first completes its line and gets it back whole."""
    slow = open_client(srv, stack)
    slow.send("半行 / half a li".encode())
    if not wait_consumed(slow.sock, srv.timeout):
        fail("服务器没有读取客户端发来的数据。", "The server did not read the client's data.", sent="半行 / half a li",
             details=output_tail(srv))
    other = open_client(srv, stack)  # after the first was served: never two connections arriving together
    echo(srv, other, "另一个客户端 / another client".encode(),
         stuck_zh=f"一个客户端只发了半行时，另一个客户端在 {srv.timeout:g} 秒内没有收到回显：服务器在等那半行。",
         stuck_en=f"While one client had sent only half a line, another got no echo within {srv.timeout:g} s: the server "
                  "waited for the rest of that line.", hint_zh=hint_zh, hint_en=hint_en)
    slow.send(b"ne\n")
    got = answer(srv, slow, "半行 / half a line\n".encode())
    if got != "半行 / half a line".encode():
        fail("分两次发完的一行没有被原样发回。", "A line sent in two parts did not come back unchanged.",
             sent="半行 / half a li + ne\\n", expected="半行 / half a line", got=shown(got))


def check_client_sees_eof(srv, stack, hint_zh: str, hint_en: str):
    """The client shuts down its sending side: the server closes, the client reads EOF."""
    client = open_client(srv, stack)
    echo(srv, client, b"last words")
    client.sock.shutdown(socket.SHUT_WR)  # "I am done sending": the server should close its side
    try:
        rest = client.reader.line(srv.timeout)
    except TimeoutError:
        fail(f"客户端关闭发送方向后，{srv.timeout:g} 秒内没有收到服务器关闭连接（EOF）。",
             f"After the client shut down its sending side, no EOF (server closing) arrived within {srv.timeout:g} s.",
             hint_zh=hint_zh, hint_en=hint_en)
    check(rest is None, "客户端关闭发送方向后，服务器应关闭连接。", "After the client shut down its sending side, the server must "
          "close the connection.", expected="EOF", got=shown(rest or b""))


def check_survives_reset(srv, stack, exit_line: str):
    """A client resets its connection (RST, as a crashing client): the server logs it as gone
    and goes on serving."""
    victim = open_client(srv, stack)
    echo(srv, victim, b"about to crash")
    reset(victim.sock)
    echo(srv, open_client(srv, stack), b"still there?")
    line = exit_line.format(addr=victim.addr)
    seen = srv.stdout.wait_for(lambda text: line in text, srv.timeout)
    check(seen, "一个客户端异常断开（RST）后，服务器没有打印它离开的消息。",
          "After a client reset its connection, the server did not print its exit line.",
          expected=line, got=srv.stdout.text()[-1000:], details=srv.stderr.text()[-1500:] or None,
          hint_zh="连接被重置时 recv 抛出 ConnectionResetError：当作客户端离开处理。",
          hint_en="On a reset connection recv raises ConnectionResetError: handle it as the client leaving.")


def check_releases_closed_clients(srv, exit_line: str, n: int, hint_zh: str, hint_en: str, serve_hints: dict):
    """After ``n`` clients came and went, the server's descriptor count is back to its baseline
    (taken after one client left) and a new client is served."""
    with contextlib.ExitStack() as stack:  # one client first: the baseline holds what one finished client leaves
        first = open_client(srv, stack)
        echo(srv, first, b"first")
    srv.stdout.wait_for(lambda text: exit_line.format(addr=first.addr) in text, srv.timeout)
    server_alive(srv)
    baseline, before = count(srv, "fds"), fd_kinds(main_process(srv).pid)
    with contextlib.ExitStack() as stack:
        serve_many(srv, n, stack, **serve_hints)
    server_alive(srv)
    now = settle(srv, "fds", baseline)
    check(now <= baseline, f"{n} 个客户端离开 {SETTLE:g} 秒后，服务器打开的文件描述符从 {baseline} 个变成了 {now} 个。",
          f"{SETTLE:g} s after {n} clients left, the server has {now} open file descriptors instead of {baseline}.",
          expected=f"<= {baseline} {before}", got=f"{now} {fd_kinds(main_process(srv).pid)}", hint_zh=hint_zh, hint_en=hint_en)
    with contextlib.ExitStack() as stack:
        echo(srv, open_client(srv, stack), b"one more")


def open_file_limit(pid: int) -> int | None:
    """A process's soft RLIMIT_NOFILE, read from /proc (prlimit is refused across uids here);
    None when unknown or unlimited."""
    try:
        with open(f"/proc/{pid}/limits") as f:
            for line in f:
                if line.startswith("Max open files"):
                    soft = line.split()[3]
                    return None if soft == "unlimited" else int(soft)
    except (OSError, ValueError, IndexError):
        pass
    return None
