"""局域网聊天 · 模拟QQ聊天 / UDP chat — see README.md."""
import socket  # noqa: F401
import threading  # noqa: F401

ENCODING = "gbk"  # as the notes (QQ / 飞秋 on Windows)
BUFSIZE = 65535  # more than the largest UDP datagram: no message is ever cut
PROMPT = "<< "


def receive(sock, stop):
    """The receive thread: print every datagram as "\\r>> {addr}:{text}" (decoded as GBK,
    "replace" for bytes that are not GBK), then the prompt again; end once stop is set."""
    raise NotImplementedError("TODO: receive")


def send_typed(sock, peer):
    """The send loop: input(PROMPT); every line is one datagram (GBK) to peer, until "exit"
    or the end of input (EOFError)."""
    raise NotImplementedError("TODO: send_typed")


def chat(host, port):
    """Bind (host, port); input("对方的IP: ") and input("对方的Port: "); start the receive
    thread and run the send loop; then stop the receive thread (set stop, shutdown the
    socket), join it, close the socket and return."""
    raise NotImplementedError("TODO: chat")
