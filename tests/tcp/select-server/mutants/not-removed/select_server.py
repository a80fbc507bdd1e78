"""并发服务器 select 版本 / Concurrent server with select — mutant not-removed: a client that left is closed but stays in select's list"""
import select
import socket


def serve(host, port):
    ser_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ser_socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ser_socket.bind((host, port))
    ser_socket.listen(128)
    inputs_list = [ser_socket]
    addr_dict = {}  # client socket -> its address
    inbox = {}      # client socket -> bytes received after its last b"\n"
    try:
        while True:
            readable, _, _ = select.select(inputs_list, [], [])
            for sock in readable:
                if sock is ser_socket:
                    new_socket, new_addr = ser_socket.accept()
                    inputs_list.append(new_socket)
                    addr_dict[new_socket] = new_addr
                    inbox[new_socket] = b""
                    continue
                try:
                    data = sock.recv(1024)  # select said it is readable: this does not block
                except ConnectionError:
                    data = b""  # reset by the client: as good as gone
                if not data:
                    print(f"客户端{addr_dict[sock]}已退出！", flush=True)
                    sock.close()  # forgot inputs_list.remove(sock): the next select() gets a closed socket
                    continue
                # TCP is a stream: a recv may hold part of a line, or several lines
                *lines, inbox[sock] = (inbox[sock] + data).split(b"\n")
                for line in lines:
                    print(f"<{addr_dict[sock]}>: {line.decode('utf-8', 'replace')}", flush=True)
                    try:
                        sock.sendall(line + b"\n")
                    except ConnectionError:
                        break  # gone: the next recv says so
    finally:
        ser_socket.close()
