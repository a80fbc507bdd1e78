"""UDP 回显服务器与客户端 / UDP echo server and client — see README.md."""
import socket  # noqa: F401
import time  # noqa: F401

BUFSIZE = 1024  # the largest datagram this protocol carries, in bytes


def serve(host, port, timestamp=False):
    """Bind a UDP socket to (host, port) and answer every datagram, for ever, to the address
    it came from: the same bytes back, or with timestamp=True b"[" + ctime() + b"] " + bytes.
    A datagram longer than BUFSIZE: answer its first BUFSIZE bytes and print
    数据报被截断: <addr>."""
    raise NotImplementedError("TODO: serve")


def ask(host, port, text, encoding="utf-8", timeout=2.0):
    """Send text (encoded with encoding) as one datagram to (host, port); return the reply
    from (host, port), decoded.  No reply within timeout seconds: TimeoutError naming the
    address.  A reply longer than BUFSIZE: ValueError.  Use a socket of this call's own and
    close it whatever happens."""
    raise NotImplementedError("TODO: ask")
