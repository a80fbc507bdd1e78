"""A real TFTP server for the udp/tftp-client suite: tftpy's ``TftpServer`` in a thread.

It serves a folder of files the suite made, on 127.0.0.1 and a port the OS picks, and is
stopped at once when the check ends (``stop(now=True)`` alone would wait out tftpy's select
timeout: a datagram to its port wakes it up).  Each transfer is answered from a new port of
tftpy's (the transfer's TID), as RFC 1350 says; after block 65535 tftpy numbers the next
block 0.  Faults tftpy cannot make are added by ``kit.udp_faults``.
"""
from __future__ import annotations

import logging
import random
import socket
import threading
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import tftpy

HOST = "127.0.0.1"
BLOCK = 512
SERVER_TIMEOUT = 3.0  # tftpy re-sends an unacknowledged DATA after this long (3 times, then gives up)

logging.getLogger("tftpy").setLevel(logging.CRITICAL)  # its per-packet warnings are not the learner's output


@dataclass(frozen=True)
class Served:
    """A file the server holds: its name, its bytes, and the CRC32 of every 512-byte block."""

    name: str
    data: bytes

    @property
    def blocks(self) -> int:
        """DATA packets a download takes (a file whose size is a multiple of 512 ends with an empty one)."""
        return len(self.data) // BLOCK + 1

    def block_crcs(self) -> bytes:
        return block_crcs(self.data)


def block_crcs(data: bytes) -> bytes:
    """The CRC32 of each 512-byte block of ``data``, 4 bytes each, big-endian (the probe sends the same)."""
    return b"".join(zlib.crc32(data[i:i + BLOCK]).to_bytes(4, "big") for i in range(0, len(data), BLOCK))


def make_files(root: Path, sizes: dict[str, int], seed: int = 1350) -> dict[str, Served]:
    """Files of the given sizes with bytes of every value (NUL, CR, LF...), the same on every run."""
    rng = random.Random(seed)
    out = {}
    for name, size in sizes.items():
        data = rng.randbytes(size)
        (root / name).write_bytes(data)
        out[name] = Served(name, data)
    return out


@contextmanager
def tftp_server(root: Path, timeout: float = SERVER_TIMEOUT):
    """tftpy serving ``root`` on 127.0.0.1; yields its (host, port)."""
    server = tftpy.TftpServer(str(root))
    thread = threading.Thread(target=server.listen, args=(HOST, 0), kwargs={"timeout": timeout, "retries": 3},
                              daemon=True, name="tftpy-server")
    thread.start()
    if not server.is_running.wait(10):
        raise RuntimeError("tftpy's server did not start")
    address = (HOST, server.listenport)
    try:
        yield address
    finally:
        server.stop(now=True)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as wake:
            wake.sendto(b"\x00\x04\x00\x00", address)  # an ACK out of nowhere: tftpy drops it, then sees stop
        thread.join(timeout + 5)
        if thread.is_alive():
            raise RuntimeError("tftpy's server did not stop")
