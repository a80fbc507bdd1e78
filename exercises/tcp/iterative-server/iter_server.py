"""单进程服务器 / Iterative server — see README.md."""
import socket  # noqa: F401


def handle_client(conn, addr):
    """Serve one client until it leaves.

    Read with conn.recv in a loop and keep the bytes in a buffer; for every whole line
    (ending in b"\\n"): print f"<{addr}>: {text}" and send the line back with its b"\\n".
    recv returning b"" (or a ConnectionResetError) means the client left: print
    f"客户端{addr}退出" and return.
    """
    raise NotImplementedError("TODO: handle_client")


def serve(host, port):
    """Listen on (host, port) with SO_REUSEADDR and serve clients one at a time, for ever.

    After each accept print f"{addr[0]} {addr[1]}连接上了", call handle_client, then close
    the client's socket (only that one) and accept the next client.
    """
    raise NotImplementedError("TODO: serve")
