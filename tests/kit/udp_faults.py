"""A small fault-injecting proxy between a learner's TFTP client and tftpy's real server.

Why it exists: tftpy (the real server of the udp/tftp-client suite, ``kit.udp_tftp``) serves
files correctly, and that is all it can do.  It cannot lose one chosen DATA packet, send one
twice, answer from an address other than 127.0.0.1, let a stranger's packet arrive in the
middle of a transfer, or fail half-way through one; yet an RFC 1350 client must cope with each,
and a check must see it happen at the same packet on every run, whatever the timing.  The proxy
relays each transfer between the client and tftpy, changes at most the packets it was told to,
and passes everything else on unchanged.

Like a real server it listens on one port (``address``, on a loopback address of the check's
choosing) and answers each transfer from a new port of its own, the transfer's TID, so a client
that sends its ACKs anywhere else is seen doing so.

Faults, each naming the n-th DATA of a transfer (1-based, counting new blocks: a copy tftpy
re-sends is not a new one):

- ``drop=n``: DATA n is lost, and so is every copy tftpy re-sends, until the client says its
  last packet again (ACK n-1, or the request when n is 1); the proxy then gives it DATA n.
- ``duplicate=n``: DATA n reaches the client twice, back to back.
- ``stray=n``: once the client has ACKed DATA n-1, and before tftpy can send DATA n, a DATA with
  the same block number and other bytes comes from elsewhere: from another port of the proxy's
  address (not the TID), and from the loopback addresses just below and just above it (so a
  client that compares addresses with < or > instead of != takes one of them, whatever the ports).
- ``error=n``: instead of DATA n the client gets ERROR 3 (disk full) and the transfer ends there.
- ``silence=n``: from DATA n on the server seems gone: nothing more reaches the client, and what
  the client sends (its ACK n-1, again and again) is only recorded.
- ``together=k``: no DATA reaches any client before k transfers have been asked for, so k
  downloads are certainly running at once.

Every packet is kept as an ``Event`` for the check to say what the client did.  The proxy's
thread stays on one CPU: two datagrams it sends reach a client in the order sent.
"""
from __future__ import annotations

import ipaddress
import os
import selectors
import socket
import struct
import threading
import time
from dataclasses import dataclass, field

KINDS = {1: "RRQ", 2: "WRQ", 3: "DATA", 4: "ACK", 5: "ERROR"}
STRAY_BYTES = b"STRAY!"  # the stray DATA's bytes, repeated: easy to spot in a corrupted file
INJECTED_ERROR = (3, "Disk full or allocation exceeded")  # what error=n sends instead of DATA n


def kind_of(packet: bytes) -> tuple[str, int | None]:
    """("DATA", block) / ("ACK", block) / ("ERROR", code) / ("RRQ", None) / ("?", None)."""
    if len(packet) < 2:
        return "?", None
    kind = KINDS.get(int.from_bytes(packet[:2], "big"), "?")
    number = int.from_bytes(packet[2:4], "big") if kind in ("DATA", "ACK", "ERROR") and len(packet) >= 4 else None
    return kind, number


@dataclass(frozen=True)
class Event:
    """One packet the proxy saw or made.

    ``source``: "client", "server" (tftpy) or "proxy" (made here); ``port``: where it arrived,
    "request" (the port the client sent its request to), "tid" (the transfer's port), "stray"
    (the port strays come from), or "client" for what the proxy sent to the client; ``action``:
    what the proxy did with it."""

    source: str
    port: str
    kind: str
    number: int | None
    action: str
    sender: tuple
    at: float


@dataclass
class Transfer:
    client: tuple
    up: socket.socket  # towards tftpy
    down: socket.socket  # towards the client: the TID it sees
    tid: int = 0  # down's port
    server: tuple | None = None  # tftpy's TID for this transfer
    count: int = 0  # new DATA blocks seen from tftpy
    last_block: int | None = None
    lost: bytes | None = None  # the dropped DATA, until the client asks again
    held: list = field(default_factory=list)
    stray_sent: bool = False
    ended: bool = False


class TftpFaults:
    def __init__(self, upstream: tuple, host: str = "127.0.0.2", *, drop: int | None = None,
                 duplicate: int | None = None, stray: int | None = None, error: int | None = None,
                 silence: int | None = None, together: int = 1):
        self.upstream, self.host = upstream, host
        self.drop, self.duplicate, self.stray, self.error, self.together = drop, duplicate, stray, error, together
        self.silence = silence
        self.listener = self._bound(host)
        self.address = self.listener.getsockname()
        below, above = ipaddress.IPv4Address(host) - 1, ipaddress.IPv4Address(host) + 1
        self.stray_socks = [self._bound(host), self._bound(str(below)), self._bound(str(above))]
        self.transfers: dict[tuple, Transfer] = {}
        self._events: list[Event] = []
        self._lock = threading.Lock()
        self._sel = selectors.DefaultSelector()
        self._wake_r, self._wake_w = socket.socketpair()
        self._sel.register(self._wake_r, selectors.EVENT_READ, None)
        self._sel.register(self.listener, selectors.EVENT_READ, self._at_request_port)
        for sock in self.stray_socks:
            self._sel.register(sock, selectors.EVENT_READ, self._at_stray_port)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="tftp-faults")
        self.started = time.monotonic()

    @staticmethod
    def _bound(host: str) -> socket.socket:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind((host, 0))
        return sock

    # -- what happened ------------------------------------------------------------------------
    def _record(self, source, port, packet, action, sender):
        kind, number = kind_of(packet)
        with self._lock:
            self._events.append(Event(source, port, kind, number, action, sender, time.monotonic() - self.started))

    def events(self, **match) -> list[Event]:
        """The events so far whose fields equal ``match`` (all of them without)."""
        with self._lock:
            return [e for e in self._events if all(getattr(e, k) == v for k, v in match.items())]

    @property
    def tid_ports(self) -> list[int]:
        """The port each transfer was answered from, in the order the transfers began."""
        return [t.tid for t in self.transfers.values()]

    # -- the loop -----------------------------------------------------------------------------
    def _run(self):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # this thread only: datagrams leave in order
        while not self._stop.is_set():
            for key, _ in self._sel.select(1.0):
                if key.data is None:
                    return  # woken up to stop
                try:
                    packet, sender = key.fileobj.recvfrom(65536)
                except OSError:
                    continue
                key.data(packet, sender)

    def _at_request_port(self, packet, sender):
        kind, _ = kind_of(packet)
        transfer = self.transfers.get(sender)
        if transfer is None and kind == "RRQ":
            transfer = Transfer(sender, self._bound("127.0.0.1"), self._bound(self.host))
            transfer.tid = transfer.down.getsockname()[1]
            self.transfers[sender] = transfer
            self._sel.register(transfer.up, selectors.EVENT_READ, lambda p, s, t=transfer: self._from_server(t, p, s))
            self._sel.register(transfer.down, selectors.EVENT_READ, lambda p, s, t=transfer: self._at_tid(t, p, s))
            transfer.up.sendto(packet, self.upstream)
            self._record("client", "request", packet, "forwarded", sender)
            if len(self.transfers) == self.together:
                self._release()
        elif transfer is not None and kind == "RRQ" and transfer.lost is not None and transfer.count == 1:
            self._replay(transfer)  # DATA 1 was lost: the client asked again
            self._record("client", "request", packet, "answered with the lost DATA", sender)
        else:
            self._record("client", "request", packet, "ignored", sender)

    def _from_server(self, transfer: Transfer, packet, sender):
        if transfer.server is None:
            transfer.server = sender
        kind, block = kind_of(packet)
        if transfer.ended or sender != transfer.server:
            self._record("server", "tid", packet, "dropped (transfer over)", sender)
            return
        if kind != "DATA":  # tftpy's ERROR (e.g. file not found): on to the client
            transfer.down.sendto(packet, transfer.client)
            transfer.ended = kind == "ERROR"
            self._record("server", "tid", packet, "forwarded", sender)
            return
        new = block != transfer.last_block
        if new:
            transfer.count += 1
            transfer.last_block = block
        n = transfer.count
        if transfer.lost is not None:
            self._record("server", "tid", packet, "dropped (still lost)", sender)
        elif self.silence is not None and n >= self.silence:
            transfer.ended = True
            self._record("server", "tid", packet, "dropped (silence)", sender)
        elif new and n == self.error:
            transfer.ended = True
            code, message = INJECTED_ERROR
            transfer.down.sendto(struct.pack("!HH", 5, code) + message.encode() + b"\0", transfer.client)
            self._record("server", "tid", packet, "replaced by ERROR", sender)
        elif new and n == self.drop:
            transfer.lost = packet
            self._record("server", "tid", packet, "dropped", sender)
        elif len(self.transfers) < self.together:
            transfer.held.append(packet)
            self._record("server", "tid", packet, "held", sender)
        else:
            transfer.down.sendto(packet, transfer.client)
            self._record("server", "tid", packet, "forwarded", sender)
            if new and n == self.duplicate:
                transfer.down.sendto(packet, transfer.client)
                self._record("proxy", "client", packet, "duplicated", sender)

    def _at_tid(self, transfer: Transfer, packet, sender):
        if sender != transfer.client:
            self._record("stranger", "tid", packet, "ignored", sender)
            return
        kind, number = kind_of(packet)
        lost = transfer.lost
        if lost is not None and kind == "ACK" and number == (kind_of(lost)[1] - 1) % 65536:
            self._replay(transfer)  # the client said its last ACK again: it noticed the loss
            self._record("client", "tid", packet, "answered with the lost DATA", sender)
            return
        if (kind == "ACK" and self.stray is not None and not transfer.stray_sent
                and transfer.count == self.stray - 1 and number == transfer.last_block):
            transfer.stray_sent = True
            stray = struct.pack("!HH", 3, (number + 1) % 65536) + (STRAY_BYTES * 86)[:512]
            for sock in self.stray_socks:
                sock.sendto(stray, transfer.client)
                self._record("proxy", "client", stray, "stray sent", sock.getsockname())
        if transfer.server is None or transfer.ended:
            self._record("client", "tid", packet, "ignored", sender)
            return
        transfer.up.sendto(packet, transfer.server)
        self._record("client", "tid", packet, "forwarded", sender)

    def _at_stray_port(self, packet, sender):
        self._record("client" if sender in self.transfers else "stranger", "stray", packet, "ignored", sender)

    def _replay(self, transfer: Transfer):
        packet, transfer.lost = transfer.lost, None
        transfer.down.sendto(packet, transfer.client)
        self._record("proxy", "client", packet, "replayed", transfer.server)

    def _release(self):
        for transfer in self.transfers.values():
            held, transfer.held = transfer.held, []
            for packet in held:
                transfer.down.sendto(packet, transfer.client)
                self._record("proxy", "client", packet, "released", transfer.server)

    # -- start, stop ----------------------------------------------------------------------------
    def __enter__(self) -> TftpFaults:
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._wake_w.send(b"x")
        self._thread.join(5)
        for sock in [self.listener, *self.stray_socks, self._wake_r, self._wake_w,
                     *(s for t in self.transfers.values() for s in (t.up, t.down))]:
            sock.close()
        self._sel.close()
        if self._thread.is_alive():
            raise RuntimeError("the TFTP fault proxy did not stop")
        return False
