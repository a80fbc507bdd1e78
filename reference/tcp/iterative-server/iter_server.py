"""单进程服务器 / Iterative server — reference solution."""
import socket


def handle_client(conn, addr):
    """Serve one client: log and echo every line until the client leaves."""
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
    server.listen(5)
    try:
        while True:
            conn, addr = server.accept()
            print(f"{addr[0]} {addr[1]}连接上了", flush=True)
            with conn:  # closed when this client is done; the listening socket stays open
                handle_client(conn, addr)
    finally:
        server.close()
