"""并发收发 / Duplex chat — see README.md."""
import socket  # noqa: F401
import threading  # noqa: F401


def receive(sock, label, prompt):
    """Print every line from the peer as "{label}: {text}" as soon as it arrives (then the
    prompt again); return when the peer has closed the connection (recv returns b"")."""
    raise NotImplementedError("TODO: receive")


def send_typed(sock, prompt):
    """Read lines with input(prompt) and send each one with "\\n"; at the end of input
    (EOFError) shut down the sending side: sock.shutdown(socket.SHUT_WR)."""
    raise NotImplementedError("TODO: send_typed")


def chat(sock, label, prompt, gone):
    """Run send_typed in a daemon thread and receive in this one; once the peer has
    closed, print gone, close the socket and return."""
    raise NotImplementedError("TODO: chat")


def serve(host, port):
    """The server: accept one client on (host, port), close the listening socket, then
    chat(conn, f"<{addr}>", "<ser>: ", "客户端已退出")."""
    raise NotImplementedError("TODO: serve")


def client(host, port):
    """The client: connect to (host, port), then chat(sock, "<ser>", "<cli>: ", "服务器已退出")."""
    raise NotImplementedError("TODO: client")
