"""多线程服务器 / Multi-threaded server — reference solution."""
import socket
import threading


def handle_client(conn, addr):
    """Runs in its own thread: log and echo every line until the client leaves."""
    with conn:  # closed when the client has left, whatever happened
        buffer = b""
        try:
            while True:
                data = conn.recv(1024)
                if not data:  # the client closed the connection
                    break
                buffer += data
                # TCP is a stream: one recv may hold part of a line, or several lines.
                while b"\n" in buffer:
                    line, buffer = buffer.split(b"\n", 1)
                    print(f"<{addr}>: {line.decode('utf-8', 'replace')}", flush=True)
                    conn.sendall(line + b"\n")
        except ConnectionError:  # the client reset the connection: it has left as well
            pass
        print(f"客户端{addr}退出", flush=True)


def serve(host, port):
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind((host, port))
    server.listen(128)
    try:
        while True:
            conn, addr = server.accept()
            # The thread owns conn from here on; the main thread goes straight back to accept.
            threading.Thread(target=handle_client, args=(conn, addr), daemon=True).start()
    finally:
        server.close()
