"""时间戳回显 / Timestamp echo — see README.md."""
import socket  # noqa: F401
import threading  # noqa: F401
from time import ctime  # noqa: F401


def serve(host, port):
    """The server: listen on (host, port) with SO_REUSEADDR and serve clients one after
    another, for ever.

    Print "等待连接..." before each accept and f"...连接: {addr}" after it.  For every whole
    line received (bytes up to b"\\n"), send back "[%s] %s\\n" % (ctime(), line).  When the
    client closes (recv returns b"") or resets the connection, close it and accept the next.
    """
    raise NotImplementedError("TODO: serve")


def receive(sock):
    """In its own thread: print every line the server sends, as soon as it arrives, until
    the server closes the connection."""
    raise NotImplementedError("TODO: receive")


def client(host, port):
    """The client: connect to (host, port), start the receiving thread, then read lines
    with input("> ") and send each one with b"\\n".

    An empty line or the end of input (EOFError) ends it: shut down the sending side, wait
    for the receiving thread to print the last replies, close the socket and return.
    """
    raise NotImplementedError("TODO: client")
