"""并发收发 / Duplex chat — reference solution."""
import socket
import threading


def receive(sock, label, prompt):
    """Print every line from the peer as "{label}: {text}" as soon as it arrives; return
    when the peer has closed the connection."""
    buffer = b""
    while True:
        try:
            data = sock.recv(1024)
        except OSError:  # reset by the peer
            break
        if not data:  # the peer closed the connection
            break
        buffer += data
        # TCP is a stream: one recv may hold part of a line, or several lines.
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            print(f"\r{label}: {line.decode('utf-8', 'replace')}")
            print(prompt, end="", flush=True)  # the prompt again, under the message


def send_typed(sock, prompt):
    """Send every line typed, with "\\n"; at the end of input shut down the sending side."""
    while True:
        try:
            data = input(prompt)
        except EOFError:  # Ctrl-D: nothing more to say, but keep listening
            break
        try:
            sock.sendall((data + "\n").encode("utf-8"))
        except OSError:  # the peer has gone
            return
    try:
        sock.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def chat(sock, label, prompt, gone):
    """Two threads: this one receives, a daemon thread sends what is typed.  Returns (and
    closes the socket) once the peer has closed the connection."""
    sender = threading.Thread(target=send_typed, args=(sock, prompt), daemon=True)
    sender.start()  # a daemon: still waiting in input() when we return, it must not keep the program alive
    receive(sock, label, prompt)
    print(f"\r{gone}", flush=True)
    sock.close()


def serve(host, port):
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind((host, port))
    server.listen(5)
    try:
        conn, addr = server.accept()  # one client: the listening socket has done its job
    finally:
        server.close()
    chat(conn, f"<{addr}>", "<ser>: ", "客户端已退出")


def client(host, port):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.connect((host, port))
    chat(sock, "<ser>", "<cli>: ", "服务器已退出")
