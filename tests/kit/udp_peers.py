"""Trusted UDP sockets on loopback, for the udp unit's suites (echo, chat, ipmsg).

UDP carries datagrams, not a stream: every ``recvfrom`` is one whole datagram (or nothing),
with the address it came from.  The suites talk to learner servers and programs with sockets
of their own bound to 127.0.0.1 on a port the OS picks, wait for each datagram with a
deadline, and keep what arrived as named records (``Datagram``), never as bare tuples.
Nothing here sends anywhere but 127.0.0.1.

- sockets and datagrams: ``udp_socket()``, ``receive``, ``receive_many``, ``Datagram``;
  ``shown`` / ``first_difference`` for messages; ``same_core()`` keeps two sends in order.
- trusted peers: ``Responder(answer)`` answers each datagram in a thread; ``Silent(limit)``
  never answers and sees from outside when the client that asked closed its socket
  (``udp_ports()``: the kernel's table).
- learner programs: ``own_port(srv)`` (its own bound port), ``wait_until_waiting_for_datagram``
  (one of its threads is blocked waiting for a datagram, read from /proc).
"""
from __future__ import annotations

import os
import select
import socket
import threading
import time
from dataclasses import dataclass, field

import psutil

HOST = "127.0.0.1"
LARGEST = 65535  # a buffer no UDP datagram can overflow: the trusted side never truncates


@dataclass(frozen=True)
class Datagram:
    """One datagram a trusted socket received: its bytes and its sender's (host, port)."""

    data: bytes
    sender: tuple


def udp_socket() -> socket.socket:
    """A trusted UDP socket bound to 127.0.0.1 on a port the OS picks."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((HOST, 0))
    return sock


def receive(sock: socket.socket, timeout: float) -> Datagram | None:
    """The next datagram within ``timeout`` seconds, or None."""
    ready, _, _ = select.select([sock], [], [], max(0.0, timeout))
    if not ready:
        return None
    data, sender = sock.recvfrom(LARGEST)
    return Datagram(data, sender)


def receive_many(sock: socket.socket, count: int, timeout: float) -> list[Datagram]:
    """Up to ``count`` datagrams, all within ``timeout`` seconds (fewer if they stop coming)."""
    end, got = time.monotonic() + timeout, []
    while len(got) < count:
        one = receive(sock, end - time.monotonic())
        if one is None:
            break
        got.append(one)
    return got


def shown(data: bytes, keep: int = 60) -> str:
    """A datagram's bytes as a learner reads them: the bytes literal (cut) and the size."""
    text = repr(bytes(data[:keep])) + ("…" if len(data) > keep else "")
    return f"{text} ({len(data)} bytes)"


def first_difference(got: bytes, expected: bytes) -> str:
    """Where two byte strings first differ, for a failure message."""
    for i, (a, b) in enumerate(zip(got, expected, strict=False)):
        if a != b:
            return f"第 {i} 字节起不同 / first differs at byte {i}: {got[i:i + 12]!r} ≠ {expected[i:i + 12]!r}"
    if len(got) != len(expected):
        return f"长度不同 / lengths differ: {len(got)} ≠ {len(expected)} bytes"
    return "相同 / identical"


def same_core():
    """Keep the calling thread on one CPU from now on.  Loopback datagrams queue on the
    sending CPU's backlog, in order, so datagrams this thread sends then reach their receivers
    in the order sent, even when the kernel defers that work under load."""
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # 0: this thread only (Linux)


def udp_ports() -> set[int]:
    """The local ports of every UDP socket in this network namespace, from the kernel's own
    table (/proc/net/udp and udp6): what a learner process has open, seen from outside it."""
    ports = set()
    for table in ("/proc/net/udp", "/proc/net/udp6"):
        try:
            with open(table) as f:
                next(f)
                ports.update(int(line.split()[1].rsplit(":", 1)[1], 16) for line in f)
        except (OSError, StopIteration):
            pass
    return ports


class Silent:
    """A bound UDP socket that never replies (so no "port unreachable" either: a client
    pointed at it can only wait), watched from the test's side: when the request arrived and
    from where (``arrived``, ``sender``), and when the socket that sent it left the kernel's
    table, i.e. was closed (``gone``), all in ``time.monotonic()``.  Within ``limit`` seconds."""

    def __init__(self, limit: float):
        self.sock, self.limit = udp_socket(), limit
        self.address = self.sock.getsockname()
        self.arrived = self.sender = self.gone = None
        self._thread = threading.Thread(target=self._watch, daemon=True, name="udp-silent")

    def _watch(self):
        end = time.monotonic() + self.limit
        one = receive(self.sock, self.limit)
        if one is None:
            return
        self.arrived, self.sender = time.monotonic(), one.sender
        while time.monotonic() < end:
            if one.sender[1] not in udp_ports():
                self.gone = time.monotonic()
                return
            time.sleep(0.002)  # polling the kernel's socket table, not waiting for time to pass

    @property
    def waited(self) -> float | None:
        """How long the client kept its socket after sending (None: not seen both ends)."""
        return None if self.arrived is None or self.gone is None else self.gone - self.arrived

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._thread.join(self.limit + 1)
        self.sock.close()
        return False


@dataclass
class Responder:
    """A trusted UDP 'server' in a thread: for every datagram it receives it calls
    ``answer(datagram, sock)``, which replies (or not) with ``sock.sendto``.  What arrived is
    kept in ``received``; an exception in ``answer`` is kept in ``errors`` for the check."""

    answer: object
    sock: socket.socket = field(default_factory=udp_socket)
    received: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition)

    def __post_init__(self):
        self.address = self.sock.getsockname()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="udp-responder")

    def _run(self):
        while not self._stop.is_set():
            try:
                one = receive(self.sock, 0.05)  # wakes up to notice stop()
            except OSError:
                return
            if one is None:
                continue
            with self.arrived:
                self.received.append(one)
                self.arrived.notify_all()
            try:
                self.answer(one, self.sock)
            except Exception as exc:  # noqa: BLE001 - reported by the check
                self.errors.append(exc)

    def wait_received(self, count: int, timeout: float) -> list[Datagram]:
        """The datagrams received so far, once there are ``count`` or ``timeout`` passed."""
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.received) >= count, timeout)
            return list(self.received)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(5)
        self.sock.close()
        return False


# -- where a learner program's threads wait ----------------------------------------------------
# Syscalls a thread waiting for a datagram sits in: recvfrom/recvmsg/recvmmsg, or a poll of the
# socket (settimeout makes Python poll before it reads).  Numbers per architecture.
_WAITING_FOR_SOCKET = {
    "x86_64": {45, 47, 299, 7, 23, 232, 270, 271, 281},
    "aarch64": {207, 212, 243, 72, 73, 22},
}


def _syscalls(pids) -> list[int]:
    """The syscall each thread of these processes is in now (/proc/<pid>/task/<tid>/syscall;
    readable to root for another uid's process)."""
    out = []
    for pid in pids:
        try:
            tids = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for tid in tids:
            try:
                with open(f"/proc/{pid}/task/{tid}/syscall") as f:
                    first = f.read().split(" ", 1)[0]
            except OSError:
                continue
            if first.lstrip("-").isdigit():
                out.append(int(first))
    return out


def wait_until_waiting_for_datagram(prog, timeout: float) -> bool:
    """Wait until some thread of the learner program is blocked waiting for a datagram (so
    that what the test does next finds it there, on every run); False if that was not seen
    within ``timeout`` (not readable here, or the program never waits on its socket)."""
    wanted = _WAITING_FOR_SOCKET.get(os.uname().machine, set())
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        main, others = prog.processes()
        pids = [p.pid for p in ([main] if main else []) + others]
        if wanted & set(_syscalls(pids)):
            return True
        time.sleep(0.005)  # polling the kernel's view of the threads, not waiting for time to pass
    return False


def own_port(srv, timeout: float) -> int:
    """The UDP port a learner server bound, read from its own process tree only, and set as
    ``srv.port``.  (``learner.server(kind="udp")`` takes the first bound UDP socket of any
    process of the sandbox uid; with two learner servers in one check that may be the other
    one's socket.)"""
    end = time.monotonic() + timeout
    while True:
        main, others = srv.processes()
        for proc in ([main] if main else []) + others:
            try:
                conns = proc.net_connections(kind="udp")
            except psutil.Error:
                continue
            for conn in conns:
                if conn.laddr and conn.laddr.port:
                    srv.port = conn.laddr.port
                    return srv.port
        if time.monotonic() > end:
            return srv.port  # not seen in its own tree (it ended?): keep what learner.server found
        time.sleep(0.005)  # polling the kernel's socket table, not waiting for time to pass
