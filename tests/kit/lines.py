"""Line protocols over real sockets, for the tcp unit's suites (timestamp-echo, duplex-chat,
iterative-server, multithread-server, chat-server; the echo servers through ``kit.echo``).

Their protocols are lines of UTF-8 text ending in ``\\n``.  The tests talk to learner servers
with real sockets and read replies line by line with deadlines; they drive learner programs
through their stdin and watch their stdout while noticing at once when a program ended early
(a stub that raises is reported as its traceback, not as a 5-second wait); and they poll a
server's threads and descriptors from outside (psutil, /proc) until back to a baseline.
"""
from __future__ import annotations

import os
import select
import socket
import struct
import time

import psutil

from grader.feedback import LearnerCrashed, LearnerFailure, fail

HOST = "127.0.0.1"
SETTLE = 3.0  # how long a server may take to release a client's thread and socket after it left


# -- showing things ---------------------------------------------------------------------
def shown(data) -> str:
    """Bytes or text as a learner reads it: decoded, long values cut with their size."""
    if isinstance(data, (bytes, bytearray)):
        text = bytes(data).decode("utf-8", "replace")
        size = f"{len(data)} bytes"
    else:
        text, size = str(data), f"{len(data)} chars"
    return text if len(text) <= 80 else f"{text[:60]}… ({size})"


def output_tail(prog, keep: int = 1500, wait: float = 0.3) -> str | None:
    """The program's stdout and stderr tails, for failures where they may say why (a
    traceback may come a moment after the connection dropped: wait a little for it)."""
    prog.stderr.wait_for(lambda text: text.strip() != "", wait if prog.alive() else 0)
    parts = []
    for label, out in (("stdout", prog.stdout), ("stderr", prog.stderr)):
        text = out.text().strip()
        if text:
            parts.append(f"--- {label} (last {keep} chars) ---\n{text[-keep:]}")
    return "\n".join(parts) or None


# -- learner servers ---------------------------------------------------------------------
def readable(value) -> str:
    """A received line (bytes), a list of them, or None (the peer closed), as text."""
    if value is None:
        return "(连接已关闭 / connection closed)"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(readable(v) if v is not None else "None" for v in value) + "]"
    return shown(value)


def same(prog, got, expected, zh: str, en: str, **kw):
    """``equal`` for a running program: its output is attached only when the check fails."""
    if got != expected:
        kw.setdefault("details", output_tail(prog))
        raise LearnerFailure(zh, en, expected=readable(expected), got=readable(got), **kw)


def connect(srv, *, rcvbuf: int | None = None) -> socket.socket:
    """A client connected to the learner server; a refused connection fails the check."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf:  # before connect, so the advertised window stays small: a reader that lags
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    sock.settimeout(srv.timeout)
    try:
        sock.connect(srv.address)
    except TimeoutError:
        sock.close()
        raise  # the server turns this into a hang report
    except OSError as exc:
        sock.close()
        fail(f"连不上服务器：{exc}", f"Could not connect to the server: {exc}",
             hint_zh="服务器是不是已经退出了？它必须一直 accept。", hint_en="Did the server end? It must keep accepting.",
             details=output_tail(srv))
    return sock


class LineReader:
    """Reads ``\\n``-terminated lines from a socket, keeping what came after the last one."""

    def __init__(self, sock: socket.socket):
        self.sock, self.pending, self.eof, self.error = sock, b"", False, None
        self.partial: list[bytes] = []

    def line(self, timeout: float) -> bytes | None:
        """The next line without its ``\\n``; None once the peer closed (or reset).

        A ``TimeoutError`` propagates: inside ``with srv`` it becomes a hang report.
        """
        end = time.monotonic() + timeout
        while b"\n" not in self.pending:
            if self.eof:
                return None
            self.sock.settimeout(max(0.01, end - time.monotonic()))
            try:
                chunk = self.sock.recv(1 << 20)
            except TimeoutError:
                raise
            except OSError as exc:  # reset: the same as a close for the reader, but kept
                self.error, chunk = exc, b""
            if not chunk:
                self.eof = True
                continue
            self.pending += chunk
        line, self.pending = self.pending.split(b"\n", 1)
        return line

    def lines(self, count: int, timeout: float) -> list[bytes]:
        """Up to ``count`` lines (fewer if the peer closed first), all within ``timeout``.

        On a timeout, the lines read so far are in ``self.partial`` (for the failure message).
        """
        end, got = time.monotonic() + timeout, []
        self.partial = got
        while len(got) < count:
            line = self.line(max(0.01, end - time.monotonic()))
            if line is None:
                break
            got.append(line)
        return got

    def quiet_for(self, seconds: float) -> bytes:
        """Whatever arrives within ``seconds`` (b"" if nothing): for "must not be answered yet".

        This is a bounded wait for something that must NOT happen; nothing else can prove it.
        """
        if self.pending or self.eof:
            return self.pending
        ready, _, _ = select.select([self.sock], [], [], seconds)
        if not ready:
            return b""
        try:
            chunk = self.sock.recv(1 << 20)
        except OSError as exc:
            self.error, chunk = exc, b""
        if not chunk:
            self.eof = True
            return b"<EOF>"
        self.pending += chunk
        return chunk


def echo_line(srv, sock: socket.socket, reader: LineReader, text: str) -> bytes | None:
    """Send ``text`` as one line; the next line that comes back (None: the server closed)."""
    sock.sendall(text.encode() + b"\n")
    return reader.line(srv.timeout)


def log_has(wanted: list[str]):
    """A stdout predicate: the wanted lines appear in this order (other lines may come between)."""

    def predicate(text):
        it = iter(text.splitlines())
        return all(any(line == want for line in it) for want in wanted)

    return predicate


def clients_at_once(srv, n: int, stack, hint_zh: str, hint_en: str):
    """``n`` clients connected at once, each sends a line; every one must get its echo while
    all stay connected.  Fails (not a hang) if only some are served.  (socks, readers)"""
    socks = [stack.enter_context(connect(srv)) for _ in range(n)]
    readers = [LineReader(sock) for sock in socks]
    lines = [f"客户端 {i + 1} / client {i + 1}".encode() for i in range(n)]
    for sock, line in zip(socks, lines, strict=True):
        sock.sendall(line + b"\n")
    end = time.monotonic() + srv.timeout
    for i, (reader, line) in enumerate(zip(readers, lines, strict=True)):
        try:
            got = reader.line(max(0.05, end - time.monotonic()))
        except TimeoutError:
            if i == 0:
                raise  # not even the first client was answered: the server hangs
            fail(f"同时连着 {n} 个客户端时，第 {i + 1} 个在 {srv.timeout:g} 秒内没有收到回显（前 {i} 个收到了）。",
                 f"With {n} clients connected at once, client {i + 1} got no echo within {srv.timeout:g} s "
                 f"(the first {i} did).", sent=shown(line + b"\n"), hint_zh=hint_zh, hint_en=hint_en)
        same(srv, got, line, f"同时连着 {n} 个客户端时，第 {i + 1} 个收到的回显不对。",
             f"With {n} clients connected at once, client {i + 1} got the wrong echo.", sent=shown(line + b"\n"))
    return socks, readers


def received_so_far(reader) -> str:
    """The lines (and the start of one) read before a wait for more lines timed out."""
    data = b"".join(line + b"\n" for line in reader.partial) + reader.pending
    return shown(data) if data else "(什么也没收到 / nothing)"


def main_process(srv) -> psutil.Process:
    main, _ = srv.processes()
    try:
        ok = main is not None and main.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        ok = False
    if not ok:
        fail("服务器进程已经结束了。", "The server's process has ended.", details=output_tail(srv))
    return main


def count(srv, what: str) -> int:
    """The server's main process's number of threads ("threads") or descriptors ("fds")."""
    main = main_process(srv)
    try:
        return main.num_threads() if what == "threads" else main.num_fds()
    except psutil.Error:  # it ended between the two calls
        fail("服务器进程已经结束了。", "The server's process has ended.", details=output_tail(srv))


def settle(srv, what: str, baseline: int, timeout: float = SETTLE) -> int:
    """Poll until the count is back to ``baseline`` or the timeout passed; the last count."""
    end = time.monotonic() + timeout
    while True:
        now = count(srv, what)
        if now <= baseline or time.monotonic() > end:
            return now
        time.sleep(0.02)  # polling the kernel's view of the process, not waiting for time to pass


def fd_kinds(pid: int) -> dict:
    """Open descriptors by kind (socket, pipe, anon_inode, file), for failure messages."""
    kinds = {}
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            kind = target.split(":", 1)[0] if target.startswith(("socket:", "pipe:", "anon_inode:")) else "file"
            kinds[kind] = kinds.get(kind, 0) + 1
    except OSError:
        pass
    return kinds


# -- learner programs (driven through stdin) ----------------------------------------------
def _ended(prog, zh: str, en: str, **kw):
    """The program ended while a test still waited for it: its exception, or this failure."""
    prog.wait_output(0.5)
    prog.result(1.0)  # raises the learner's exception (with traceback) if it crashed
    kw.setdefault("got", prog.stdout.text()[-1500:] or "(没有输出 / no output)")
    raise LearnerFailure(zh + "（程序已经结束了。）", en + " (The program had already ended.)", **kw)


def wait_output(prog, predicate, zh: str, en: str, timeout: float | None = None, **kw) -> str:
    """Wait until ``predicate(stdout)`` holds; fail if it does not in time or the program ends.

    ``Program.expect`` waits out its whole timeout when the program has already died; this
    checks the process between short waits on the output's condition variable.
    """
    end = time.monotonic() + (timeout or prog.timeout)
    while True:
        if prog.stdout.wait_for(predicate, min(0.05, max(0.0, end - time.monotonic()))):
            return prog.stdout.text()
        if not prog.alive():
            if prog.stdout.wait_for(predicate, 0.5):  # its last words may still be in the pipe
                return prog.stdout.text()
            _ended(prog, zh, en, **kw)
        if time.monotonic() > end:
            kw.setdefault("got", prog.stdout.text()[-1500:] or "(没有输出 / no output)")
            stderr = prog.stderr.text().strip()
            if stderr and "details" not in kw:
                kw["details"] = f"--- stderr ---\n{stderr[-1500:]}"
            raise LearnerFailure(zh, en, **kw)


def accept_from(prog, listener: socket.socket, timeout: float | None = None) -> socket.socket:
    """The connection a learner client program makes to our listener."""
    end = time.monotonic() + (timeout or prog.timeout)
    while True:
        ready, _, _ = select.select([listener], [], [], min(0.05, max(0.0, end - time.monotonic())))
        if ready:
            conn, _ = listener.accept()
            conn.settimeout(prog.timeout)
            return conn
        if not prog.alive():
            _ended(prog, "客户端没有连接服务器。", "The client did not connect to the server.")
        if time.monotonic() > end:
            fail(f"客户端在 {timeout or prog.timeout:g} 秒内没有连接服务器。",
                 f"The client did not connect to the server within {timeout or prog.timeout:g} s.",
                 details=output_tail(prog))


def listening() -> socket.socket:
    """A trusted listener on loopback, port 0, for a learner client to connect to."""
    return socket.create_server((HOST, 0))


# Syscall numbers of read(2) per architecture: a thread blocked in input() sits in read(0, ...).
_READ_SYSCALL = {"x86_64": 0, "aarch64": 63}


def waiting_for_input(prog, timeout: float) -> bool:
    """Wait until a thread of the learner program is blocked reading its standard input (in
    input(), past the prompt it flushed), so that what the test does next finds it waiting there
    on every run.  False if that was not seen within ``timeout`` (/proc not readable here, or the
    program never reads its input); the check then goes on as it would have."""
    number = _READ_SYSCALL.get(os.uname().machine)
    end = time.monotonic() + timeout
    while number is not None and time.monotonic() < end:
        main, others = prog.processes()
        for proc in ([main] if main else []) + others:
            try:
                tids = os.listdir(f"/proc/{proc.pid}/task")
            except OSError:
                continue
            for tid in tids:
                try:
                    with open(f"/proc/{proc.pid}/task/{tid}/syscall") as f:
                        fields = f.read().split()
                except OSError:
                    continue
                if len(fields) > 1 and fields[0] == str(number) and fields[1] in ("0x0", "0"):
                    return True
        time.sleep(0.005)  # polling the kernel's view of the threads, not waiting for time to pass
    return False


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


def expected_backlog(wanted: int) -> int:
    """listen(wanted), as the kernel caps it (net.core.somaxconn)."""
    try:
        with open("/proc/sys/net/core/somaxconn") as f:
            return min(wanted, int(f.read()))
    except (OSError, ValueError):
        return wanted


def no_listener(port: int, timeout: float):
    """Wait until nothing listens on ``port`` any more (the stopped server's process has died)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end and any(
            c.status == psutil.CONN_LISTEN and c.laddr and c.laddr.port == port
            for c in psutil.net_connections(kind="tcp")):
        time.sleep(0.01)  # polling the kernel's socket table, not waiting for time to pass


def restart_on_same_port(learner, function: str, port: int, *args, who=("还有一个客户端连着", "a client"), **kwargs):
    """A new server started at once on the port of one just stopped while ``who`` was still
    connected (so the stopped server's side of that connection still holds the port): bind
    succeeds only with SO_REUSEADDR set before it, and failing to start fails the check."""
    no_listener(port, learner.timeout())
    try:
        return learner.server(function, HOST, port, *args, **kwargs)
    except LearnerCrashed as exc:
        fail(f"服务器停止后（{who[0]}），立刻在同一端口 {port} 启动新服务器失败。",
             f"After the server was stopped (with {who[1]} still connected), starting a new server on the same "
             f"port {port} at once failed.", expected=f"serve('{HOST}', {port}) listening",
             got=exc.en, details=exc.render(),
             hint_zh="bind 之前 setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)。",
             hint_en="setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1) before bind.")
