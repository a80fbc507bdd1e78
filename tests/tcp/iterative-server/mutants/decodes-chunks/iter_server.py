"""单进程服务器 / Iterative server — reference solution."""
import socket


def handle_client(conn, addr):
    """Serve one client: log and echo every line until the client leaves."""
    buffer = ""
    try:
        while True:
            data = conn.recv(1024)
            if not data:  # the client closed the connection
                break
            buffer += data.decode("utf-8", "replace")  # each chunk decoded on its own
            while "\n" in buffer:
                line, buffer = buffer.split("\n", 1)
                print(f"<{addr}>: {line}", flush=True)
                conn.sendall((line + "\n").encode())
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
