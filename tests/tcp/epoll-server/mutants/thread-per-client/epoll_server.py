"""epoll 服务器 / epoll server — mutant thread-per-client: a thread per client instead of one epoll loop"""
import socket
import threading


def handle(cli_socket, cli_addr):
    with cli_socket:
        buffer = b""
        while True:
            try:
                data = cli_socket.recv(1024)
            except ConnectionError:
                data = b""
            if not data:
                print(f"客户端{cli_addr}已退出", flush=True)
                return
            *lines, buffer = (buffer + data).split(b"\n")
            for line in lines:
                print(f"<{cli_addr}>: {line.decode('utf-8', 'replace')}", flush=True)
                cli_socket.sendall(line + b"\n")


def serve(host, port):
    ser_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ser_socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ser_socket.bind((host, port))
    ser_socket.listen(128)
    while True:
        new_socket, new_addr = ser_socket.accept()
        threading.Thread(target=handle, args=(new_socket, new_addr), daemon=True).start()
