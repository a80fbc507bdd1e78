"""单进程非阻塞并发服务器 / Single-process non-blocking server — see README.md."""
import socket  # noqa: F401
import time  # noqa: F401


def serve(host, port):
    """Line-echo server for many clients at once, in ONE thread, with non-blocking sockets.

    Runs for ever.  Listen on (host, port) with SO_REUSEADDR and setblocking(False); in a
    loop: try accept() (BlockingIOError: nobody new), then try recv() on every client
    socket (each set non-blocking too; BlockingIOError: nothing from it yet).  Keep the bytes
    of each client in its own buffer; for every complete line (ending b"\\n") print
    <addr>: text and send the line back unchanged.  recv() returning b"" (or raising
    ConnectionResetError): print 客户端{addr}已下线, close the socket, forget the client.
    """
    raise NotImplementedError("TODO: serve")
