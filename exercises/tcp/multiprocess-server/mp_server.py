"""多进程服务器 / Multi-process server — see README.md."""
import multiprocessing  # noqa: F401
import signal  # noqa: F401
import socket  # noqa: F401


def handle_client(conn, addr):
    """In the child process: echo and log every chunk; on EOF print 客户端{addr}退出 and close."""
    raise NotImplementedError("TODO: handle_client")


def serve(host, port):
    """Accept clients for ever; one multiprocessing.Process per client; reap finished children."""
    raise NotImplementedError("TODO: serve")
