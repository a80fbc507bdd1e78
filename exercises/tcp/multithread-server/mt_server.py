"""多线程服务器 / Multi-threaded server — see README.md."""
import socket  # noqa: F401
import threading  # noqa: F401


def handle_client(conn, addr):
    """Runs in its own thread and serves one client until it leaves.

    Read with conn.recv in a loop and keep the bytes in a buffer; for every whole line
    (ending in b"\\n"): print f"<{addr}>: {text}" and send the line back with its b"\\n".
    recv returning b"" (or a ConnectionResetError) means the client left: print
    f"客户端{addr}退出", close conn and return, so that the thread ends.
    """
    raise NotImplementedError("TODO: handle_client")


def serve(host, port):
    """Listen on (host, port) with SO_REUSEADDR and accept clients for ever.

    Start one threading.Thread(target=handle_client, args=(conn, addr)) per client and go
    straight back to accept.
    """
    raise NotImplementedError("TODO: serve")
