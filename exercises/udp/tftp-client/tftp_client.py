"""TFTP下载器 / TFTP download client (RFC 1350, octet mode) — see README.md."""
import os  # noqa: F401
import socket  # noqa: F401
import struct  # noqa: F401

RRQ, DATA, ACK, ERROR = 1, 3, 4, 5
BLOCK_SIZE = 512


class TftpError(Exception):
    """The server answered with an ERROR packet (given: raise it as it is)."""

    def __init__(self, code, message):
        super().__init__(f"TFTP error {code}: {message}")
        self.code = code
        self.message = message


def tftp_download(host, port, filename, dest, timeout, retries):
    """Download filename from the TFTP server at (host, port) into the file dest; return its size in bytes."""
    raise NotImplementedError("TODO: tftp_download")
