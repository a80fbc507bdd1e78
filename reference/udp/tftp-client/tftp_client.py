"""TFTP下载器 / TFTP download client (RFC 1350, octet mode) — reference solution."""
import os
import socket
import struct

RRQ, DATA, ACK, ERROR = 1, 3, 4, 5
BLOCK_SIZE = 512


class TftpError(Exception):
    """The server answered with an ERROR packet."""

    def __init__(self, code, message):
        super().__init__(f"TFTP error {code}: {message}")
        self.code = code
        self.message = message


def tftp_download(host, port, filename, dest, timeout, retries):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.settimeout(timeout)
    try:
        with open(dest, "wb") as out:
            return _receive(sock, (host, port), filename, out, retries)
    except BaseException:
        if os.path.exists(dest):
            os.remove(dest)  # no partial file is left behind
        raise
    finally:
        sock.close()


def _receive(sock, server, filename, out, retries):
    last = struct.pack("!H", RRQ) + filename.encode() + b"\0octet\0"
    last_to = server  # the request goes to the server's port; everything after to its TID
    sock.sendto(last, last_to)
    tid = None
    expected, written, misses = 1, 0, 0
    while True:
        try:
            packet, addr = sock.recvfrom(65536)
        except TimeoutError:
            misses += 1
            if misses > retries:
                raise TimeoutError(f"no answer from the TFTP server {server[0]}:{server[1]} after "
                                   f"{retries + 1} waits of {sock.gettimeout()} s") from None
            sock.sendto(last, last_to)  # say it again: the request, or the last ACK
            continue
        if tid is None:
            tid = addr  # the server answers from a new port: the transfer's TID
        elif addr != tid:
            sock.sendto(struct.pack("!HH", ERROR, 5) + b"Unknown transfer ID\0", addr)
            continue
        if len(packet) < 4:
            continue
        opcode, number = struct.unpack("!HH", packet[:4])
        if opcode == ERROR:
            raise TftpError(number, packet[4:].split(b"\0", 1)[0].decode("utf-8", "replace"))
        if opcode != DATA:
            continue
        if number == expected:
            data = packet[4:]
            out.write(data)
            written += len(data)
            last, last_to = struct.pack("!HH", ACK, number), tid
            sock.sendto(last, last_to)
            misses = 0
            if len(data) < BLOCK_SIZE:
                return written
            expected = (expected + 1) % 65536  # after block 65535 comes block 0
        elif number == (expected - 1) % 65536:
            sock.sendto(struct.pack("!HH", ACK, number), tid)  # a duplicate: ACK it again, write it once
