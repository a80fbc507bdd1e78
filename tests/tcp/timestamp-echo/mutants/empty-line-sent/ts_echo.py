"""时间戳回显 / Timestamp echo — reference solution."""
import socket
import threading
from time import ctime


def stamp(line):
    """The reply to one line (bytes, without b"\\n"): b"[<ctime>] <line>\\n"."""
    return f"[{ctime()}] ".encode() + line + b"\n"


def serve(host, port):
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind((host, port))
    server.listen(5)
    try:
        while True:  # one client after another
            print("等待连接...", flush=True)
            conn, addr = server.accept()
            print(f"...连接: {addr}", flush=True)
            with conn:
                buffer = b""
                try:
                    while True:
                        data = conn.recv(1024)
                        if not data:  # the client has no more lines and closed its side
                            break
                        buffer += data
                        # TCP is a stream: one recv may hold part of a line, or several lines.
                        while b"\n" in buffer:
                            line, buffer = buffer.split(b"\n", 1)
                            conn.sendall(stamp(line))
                except ConnectionError:  # the client reset the connection
                    pass
    finally:
        server.close()


def receive(sock):
    """Print every line the server sends as soon as it arrives, until the server closes."""
    buffer = b""
    while True:
        try:
            data = sock.recv(1024)
        except OSError:
            break
        if not data:
            break
        buffer += data
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            print(line.decode("utf-8", "replace"), flush=True)


def client(host, port):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.connect((host, port))
    # Replies are printed by their own thread, even while input() below waits for the user.
    receiver = threading.Thread(target=receive, args=(sock,))
    receiver.start()
    while True:
        try:
            data = input("> ")
        except EOFError:  # end of input (Ctrl-D)
            break
        sock.sendall((data + "\n").encode("utf-8"))
    sock.shutdown(socket.SHUT_WR)  # no more lines: the server answers what it has, then closes
    receiver.join()  # every reply printed
    sock.close()
