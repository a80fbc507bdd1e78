"""并发服务器 select 版本 / Concurrent server with select — see README.md."""
import select  # noqa: F401
import socket  # noqa: F401


def serve(host, port):
    """Line-echo server for many clients at once, in ONE thread, with select.select().

    Runs for ever.  Listen on (host, port) with SO_REUSEADDR; keep inputs_list = [ser_socket]
    plus every client socket; loop on select.select(inputs_list, [], []).  Listening socket
    readable: accept, add the new socket to inputs_list, remember its address.  Client socket
    readable: recv(1024) once, add the bytes to that client's buffer; for every complete line
    (ending b"\\n") print <addr>: text and sendall the line back.  recv() returning b"" (or
    raising ConnectionResetError): print 客户端{addr}已退出！, close the socket, remove it from
    inputs_list and every dict.
    """
    raise NotImplementedError("TODO: serve")
