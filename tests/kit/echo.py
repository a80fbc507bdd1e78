"""Talking to the concurrent line-echo servers of the tcp unit: nonblocking-server,
select-server, epoll-server and socketserver (their shared checks: ``kit.echo_suite``).

Their protocol: lines of UTF-8 text ending in ``\\n``; the server sends every complete line
back unchanged and logs it as ``<addr>: text``.  What this adds to ``kit.lines``: many
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

from grader.feedback import check, fail, learner_traceback

from .lines import LineReader, count, main_process, output_tail
from .lines import shown as _shown


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
    kind, payload = srv.outcome(0.3)  # written before the process exits, so it is there if it died
    parts = []
    if kind == "error":
        tb = learner_traceback(payload.get("traceback", ""))
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
    dump = srv.stacks().strip()
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
