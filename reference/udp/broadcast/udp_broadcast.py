"""UDP广播 / UDP broadcast — reference solution."""
import socket

BUFFER = 65535  # the largest UDP datagram: nothing is cut


def send_broadcast(message, port, address="<broadcast>", times=3):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
        data = message.encode("gbk")
        for _ in range(times):
            sock.sendto(data, (address, port))
    return times


def receive_broadcasts(port, count, host=""):
    received = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # before bind, or it does nothing
        sock.bind((host, port))
        while len(received) < count:
            data, addr = sock.recvfrom(BUFFER)
            text = data.decode("gbk")
            print("<%s>: %s" % (addr, text))  # noqa: UP031 (the notes' own line)
            received.append((text, addr))
    return received
