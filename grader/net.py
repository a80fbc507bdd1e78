"""Loopback networking for suites: trusted peers, stream reads, and kernel-side probes.

Everything here binds to 127.0.0.1 with port 0 and synchronises on events (a connection,
bytes arriving, the kernel's queues draining), never on the clock.
"""
from __future__ import annotations

import socket
import struct
import threading
import time

LOOPBACK = "127.0.0.1"


def recv_until(sock: socket.socket, terminator: bytes | None = None, limit: int = 1 << 24) -> bytes:
    """Read until ``terminator`` (included) or EOF.  A socket timeout propagates."""
    data = bytearray()
    while len(data) < limit:
        if terminator is not None and terminator in data:
            break
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return bytes(data)


def recv_exactly(sock: socket.socket, size: int) -> bytes:
    """Read ``size`` bytes, or fewer if the peer closes first.  A socket timeout propagates."""
    data = bytearray()
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            break
        data += chunk
    return bytes(data)


def reset(sock: socket.socket):
    """Close with RST instead of FIN, as a crashing client would."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def _hex_addr(addr) -> str:
    host, port = addr[0], addr[1]
    packed = socket.inet_aton(host)
    return f"{int.from_bytes(packed, 'little'):08X}:{port:04X}"


def tcp_queues(local, remote):
    """(tx_queue, rx_queue) of the IPv4 TCP socket local->remote, from /proc/net/tcp."""
    want_local, want_remote = _hex_addr(local), _hex_addr(remote)
    with open("/proc/net/tcp") as f:
        next(f)
        for line in f:
            parts = line.split()
            if parts[1] == want_local and parts[2] == want_remote:
                tx, rx = parts[4].split(":")
                return int(tx, 16), int(rx, 16)
    return None


def wait_consumed(sock: socket.socket, timeout: float) -> bool:
    """True once the peer process has read every byte we sent on ``sock``.

    This is how a suite sends a message in fragments that the learner's code really sees
    apart: after each fragment, wait until the peer's receive queue is empty (its ``recv``
    returned), then send the next.  False if that did not happen within ``timeout`` (the
    peer is not reading, which is a finding, not an error).
    """
    mine, theirs = sock.getsockname(), sock.getpeername()
    end = time.monotonic() + timeout
    while True:
        own = tcp_queues(mine, theirs)
        peer = tcp_queues(theirs, mine)
        if peer is None or own is None:
            return True  # the peer closed: nothing is waiting to be read any more
        if own[0] == 0 and peer[1] == 0:
            return True
        if time.monotonic() > end:
            return False
        time.sleep(0.002)  # polling the kernel's queues, not waiting for time to pass


def send_in_fragments(sock: socket.socket, parts: list[bytes], timeout: float) -> int:
    """Send each part only after the peer has consumed the previous; returns parts sent."""
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    for i, part in enumerate(parts):
        try:
            sock.sendall(part)
        except OSError:  # the peer already closed on us: the learner stopped reading early
            return i
        if i < len(parts) - 1 and not wait_consumed(sock, timeout):
            return i + 1
    return len(parts)


class TcpPeer:
    """A trusted TCP server in a thread, for grading learner clients.

    ``handler(conn)`` runs for each accepted connection, in its own thread; whatever it
    returns or raises is kept in ``results``/``errors`` in connection order.  A small
    ``rcvbuf`` makes it a slow reader: a learner's single ``send()`` of a long message then
    cannot hand the kernel all of it at once, which ``sendall()`` handles and ``send()`` does not.
    """

    def __init__(self, handler, connections: int = 1, timeout: float = 5.0, rcvbuf: int | None = None):
        self.handler, self.connections, self.timeout = handler, connections, timeout
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf:  # set before listen: accepted sockets inherit it and the window stays small
            self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.listener.bind((LOOPBACK, 0))
        self.listener.listen(128)
        self.address = self.listener.getsockname()
        self.results, self.errors = [None] * connections, [None] * connections
        self.done = threading.Event()
        self._threads, self._conns = [], []
        self._accepter = threading.Thread(target=self._accept, daemon=True)

    def _accept(self):
        self.listener.settimeout(self.timeout * 4)
        try:
            for i in range(self.connections):
                conn, _ = self.listener.accept()
                conn.settimeout(self.timeout)
                self._conns.append(conn)
                t = threading.Thread(target=self._serve, args=(i, conn), daemon=True)
                self._threads.append(t)
                t.start()
        except OSError as exc:
            self.errors[len(self._threads)] = exc
        for t in self._threads:
            t.join()
        self.done.set()

    def _serve(self, i, conn):
        with conn:
            try:
                self.results[i] = self.handler(conn)
            except Exception as exc:  # noqa: BLE001 - kept for the check to report
                self.errors[i] = exc

    def __enter__(self):
        self._accepter.start()
        return self

    def __exit__(self, *exc):
        try:
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes a blocked accept(); close() alone does not
        except OSError:
            pass
        self.listener.close()
        for conn in self._conns:  # unblock handlers still waiting on a learner that gave up
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._accepter.join(self.timeout * 5)
        return False
