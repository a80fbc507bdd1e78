"""TCP 客户端与服务端 / TCP client and server — reference solution."""
import socket

REPLY = "数据接收成功！"


def serve_once(host, port):
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind((host, port))
    server.listen(128)
    try:
        client, _addr = server.accept()
        with client:
            data = b""
            while b"\n" not in data:
                chunk = client.recv(1024)
                if not chunk:
                    break
                data += chunk
            message = data.decode("utf-8")
            print("client :", message)
            client.sendall(REPLY.encode("utf-8"))
    finally:
        server.close()
    return message


def send_message(host, port, text):
    with socket.create_connection((host, port)) as client:
        client.sendall((text + "\n").encode("utf-8"))
        reply = b""
        while True:
            chunk = client.recv(1024)
            if not chunk:
                break
            reply += chunk
    return reply.decode("utf-8")
