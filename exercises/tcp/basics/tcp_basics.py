"""TCP 客户端与服务端 / TCP client and server — see README.md."""
import socket  # noqa: F401


def serve_once(host, port):
    """Serve one client: read a line, print it, reply 数据接收成功！, close; return the line."""
    raise NotImplementedError("TODO: serve_once")


def send_message(host, port, text):
    """Send text + newline; return the server's whole reply."""
    raise NotImplementedError("TODO: send_message")
