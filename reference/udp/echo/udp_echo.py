"""UDP 回显服务器与客户端 / UDP echo server and client — reference solution."""
import socket
import time

BUFSIZE = 1024  # the largest datagram this protocol carries, in bytes


def serve(host, port, timestamp=False):
    """Answer every datagram, for ever: send it back to the address it came from (with
    timestamp=True: b"[" + ctime() + b"] " before it).  A datagram longer than BUFSIZE is
    cut by the kernel: answer the BUFSIZE bytes that arrived and print 数据报被截断: <addr>."""
    server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    server.bind((host, port))
    try:
        while True:
            # One extra byte: if it is filled, the datagram was longer than BUFSIZE and the
            # kernel has thrown the rest away (UDP keeps no "rest" for a later recvfrom).
            data, addr = server.recvfrom(BUFSIZE + 1)
            if len(data) > BUFSIZE:
                print(f"数据报被截断: {addr}", flush=True)
                data = data[:BUFSIZE]
            if timestamp:
                data = f"[{time.ctime()}] ".encode() + data  # bytes: whatever encoding the text had
            server.sendto(data, addr)  # to this datagram's sender, whoever it is
    finally:
        server.close()


def ask(host, port, text, encoding="utf-8", timeout=2.0):
    """Send text (encoded with encoding) as one datagram to (host, port) and return the
    reply, decoded.  TimeoutError if the server does not answer within timeout seconds;
    ValueError if the reply is longer than BUFSIZE."""
    server = (host, port)
    deadline = time.monotonic() + timeout
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:  # closed on every way out
        sock.sendto(text.encode(encoding), server)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            sock.settimeout(left)
            try:
                data, addr = sock.recvfrom(BUFSIZE + 1)
            except TimeoutError:
                break
            if addr != server:
                continue  # anyone can send us a datagram: only the server's is the reply
            if len(data) > BUFSIZE:
                raise ValueError(f"回复超过 {BUFSIZE} 字节，被截断了 / the reply is longer than {BUFSIZE} bytes: cut")
            return data.decode(encoding)
    raise TimeoutError(f"{host}:{port} 在 {timeout} 秒内没有回复 / no reply from {host}:{port} within {timeout} s")
