"""单进程非阻塞并发服务器 / Single-process non-blocking server — mutant drops-newline: the line is sent back without its b"\n" (split() removed it)"""
import socket
import time


def serve(host, port):
    ser_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ser_socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ser_socket.bind((host, port))
    ser_socket.listen(128)
    ser_socket.setblocking(False)
    clients = {}  # cli_socket -> cli_addr
    inbox = {}    # cli_socket -> bytes received after its last b"\n"
    outbox = {}   # cli_socket -> bytes not sent back yet
    try:
        while True:
            busy = False
            try:
                new_socket, new_addr = ser_socket.accept()
            except BlockingIOError:
                pass
            else:
                new_socket.setblocking(False)
                clients[new_socket] = new_addr
                inbox[new_socket] = b""
                outbox[new_socket] = b""
                busy = True
            for cli_socket, cli_addr in list(clients.items()):
                try:
                    data = cli_socket.recv(1024)
                except BlockingIOError:
                    data = None  # nothing from this client in this round
                except ConnectionError:
                    data = b""  # reset by the client: as good as gone
                if data == b"":
                    print(f"客户端{cli_addr}已下线", flush=True)
                    try:
                        cli_socket.send(outbox[cli_socket])  # best effort: what it may still read
                    except OSError:
                        pass
                    cli_socket.close()
                    del clients[cli_socket], inbox[cli_socket], outbox[cli_socket]
                    busy = True
                    continue
                if data:
                    busy = True
                    # TCP is a stream: a recv may hold part of a line, or several lines
                    *lines, inbox[cli_socket] = (inbox[cli_socket] + data).split(b"\n")
                    for line in lines:
                        print(f"<{cli_addr}>: {line.decode('utf-8', 'replace')}", flush=True)
                        outbox[cli_socket] += line  # split() took the b"\n" away and it is never put back
                if outbox[cli_socket]:
                    try:
                        sent = cli_socket.send(outbox[cli_socket])
                    except BlockingIOError:
                        sent = 0  # its send buffer is full: try again next round
                    except ConnectionError:
                        sent = len(outbox[cli_socket])  # gone: the next recv says so
                    outbox[cli_socket] = outbox[cli_socket][sent:]
                    busy = busy or sent > 0
            if not busy:
                time.sleep(0.001)  # nothing happened in this round: do not burn the CPU
    finally:
        ser_socket.close()
