"""epoll 服务器 / epoll server — see README.md."""
import select  # noqa: F401
import socket  # noqa: F401


def serve(host, port):
    """Line-echo server for many clients at once (over 1024), in ONE thread, with an
    edge-triggered select.epoll().

    Runs for ever.  Listen on (host, port) with SO_REUSEADDR, setblocking(False), register it
    with EPOLLIN | EPOLLET.  Listening socket event: accept in a loop until BlockingIOError;
    make each new socket non-blocking and register it (EPOLLIN | EPOLLOUT | EPOLLET).  Client
    event: recv in a loop until BlockingIOError, collect the bytes in that client's buffer; for
    every complete line (ending b"\\n") print <addr>: text and queue the line to send back;
    send what the socket takes.  recv() returning b"" (or raising ConnectionResetError): print
    客户端{addr}已退出, epoll.unregister(fd), close the socket, forget the client.
    """
    raise NotImplementedError("TODO: serve")
