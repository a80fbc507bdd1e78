"""并发服务器 select 版本 / Concurrent server with select — mutant serves-one-until-it-leaves: select only for accept, then each client is served in a loop until it leaves"""
import select
import socket


def serve(host, port):
    ser_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ser_socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ser_socket.bind((host, port))
    ser_socket.listen(128)
    inputs_list = [ser_socket]
    try:
        while True:
            readable, _, _ = select.select(inputs_list, [], [])
            for sock in readable:
                if sock is ser_socket:
                    new_socket, new_addr = ser_socket.accept()
                    inbox = b""
                    while True:  # 练习1 inside 练习5: this client is served until it leaves
                        try:
                            data = new_socket.recv(1024)
                        except ConnectionError:
                            data = b""
                        if not data:
                            print(f"客户端{new_addr}已退出！", flush=True)
                            new_socket.close()
                            break
                        *lines, inbox = (inbox + data).split(b"\n")
                        for line in lines:
                            print(f"<{new_addr}>: {line.decode('utf-8', 'replace')}", flush=True)
                            new_socket.sendall(line + b"\n")
    finally:
        ser_socket.close()
