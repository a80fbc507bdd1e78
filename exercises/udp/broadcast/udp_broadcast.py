"""UDP广播 / UDP broadcast — see README.md."""
import socket  # noqa: F401

BUFFER = 65535  # the largest UDP datagram: nothing is cut


def send_broadcast(message, port, address="<broadcast>", times=3):
    """Broadcast message (GBK) times times to (address, port) with SO_BROADCAST; return how many were sent."""
    raise NotImplementedError("TODO: send_broadcast")


def receive_broadcasts(port, count, host=""):
    """Bind (host, port) with SO_REUSEADDR set before bind; receive count datagrams, printing each; return them."""
    raise NotImplementedError("TODO: receive_broadcasts")
