"""多进程服务器 / Multi-process server — reference solution."""
import multiprocessing
import os
import signal
import socket


def handle_client(conn, addr):
    """Runs in the child process: echo and log every chunk until the client leaves."""
    with conn:
        while True:
            try:
                data = conn.recv(1024)
            except ConnectionError:  # the client reset the connection
                data = b""
            if not data:
                print(f"客户端{addr}退出", flush=True)
                break
            print(f"<{addr}>: {data.decode('utf-8', 'replace')}", flush=True)
            try:
                conn.sendall(data)
            except ConnectionError:
                print(f"客户端{addr}退出", flush=True)
                break


def reap(signum, frame):
    # active_children() waits for every finished child (no zombies) and lets
    # multiprocessing release its Process objects and their pipes.
    while True:
        os.waitpid(-1, 0)


def serve(host, port):
    signal.signal(signal.SIGCHLD, reap)
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind((host, port))
    server.listen(128)
    try:
        while True:
            conn, addr = server.accept()
            child = multiprocessing.Process(target=handle_client, args=(conn, addr))
            child.start()
            conn.close()  # the child has its own copy; keeping ours would keep the connection open
    finally:
        server.close()
