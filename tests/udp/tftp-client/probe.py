"""Runs in the sandbox beside the learner's tftp_client.py; returns plain values only.

A download is reported as one record: what ``tftp_download`` returned or raised, what it left
at ``dest`` (size, the CRC32 of every 512-byte block, and the bytes themselves for a small
file), and how many sockets and files it left open.
"""
import os
import threading
import zlib

import tftp_client

from probekit.procs import open_fds, udp_sockets
from probekit.values import error_of, plain, text

BLOCK = 512
SHOWN = 16384  # a file this small comes back whole, for the check to show its bytes


def left_at(dest: str) -> dict:
    """What the download left at ``dest``."""
    if not os.path.isfile(dest):
        return {"exists": False}
    with open(dest, "rb") as f:
        data = f.read()
    crcs = b"".join(zlib.crc32(data[i:i + BLOCK]).to_bytes(4, "big") for i in range(0, len(data), BLOCK))
    return {"exists": True, "size": len(data), "crcs": crcs, "data": data if len(data) <= SHOWN else None}


def open_now(dest: str) -> dict:
    """UDP sockets this process has open, and whether it still has ``dest`` open (after the
    garbage collector ran, so only what something still refers to counts)."""
    count = udp_sockets()  # collects garbage first
    return {"udp_sockets": count, "dest_open": os.path.abspath(dest) in open_fds()}


def _attribute(exc, name):
    try:
        return plain(getattr(exc, name, None))
    except Exception as inner:  # a learner property may raise
        return f"<{name} raised {type(inner).__name__}>"


def _call(host, port, filename, dest, timeout, retries) -> dict:
    try:
        value = tftp_client.tftp_download(host, port, filename, dest, timeout, retries)
    except Exception as exc:  # reported by the check, which says what was expected
        tftp_error = getattr(tftp_client, "TftpError", None)
        error = error_of(exc, timeout=isinstance(exc, TimeoutError),
                         tftp=isinstance(tftp_error, type) and isinstance(exc, tftp_error),
                         code=_attribute(exc, "code"), tftp_message=_attribute(exc, "message"))
        return {"value": None, "error": error, "file": left_at(dest)}
    return {"value": plain(value), "error": None, "file": left_at(dest)}


def download(host, port, filename, dest, timeout, retries) -> dict:
    """One download; also what it left open (``open``: UDP sockets, and the file at dest)."""
    record = _call(host, port, filename, dest, timeout, retries)
    record["open"] = open_now(dest)
    return record


def downloads_at_once(host, port, jobs, timeout, retries) -> list:
    """Several downloads in threads of this one process, started together: one record each, in
    the order of ``jobs`` ([filename, dest] pairs)."""
    gate = threading.Barrier(len(jobs))
    records = [None] * len(jobs)

    def run(i, filename, dest):
        gate.wait()
        records[i] = _call(host, port, filename, dest, timeout, retries)

    threads = [threading.Thread(target=run, args=(i, f, d), name=f"download-{i}", daemon=True)
               for i, (f, d) in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return [r if r is not None else {"value": None, "error": {"type": "?", "message": text("thread died")},
                                     "file": {"exists": False}} for r in records]
