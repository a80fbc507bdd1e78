"""给飞秋发送数据 / Sending to FeiQ (IPMSG) — see README.md."""
import socket  # noqa: F401

VERSION = "1.0"  # as in the notes
IPMSG_SENDMSG = 32  # command number: "send a message"
IPMSG_PORT = 2425  # the port FeiQ / IP Messenger listens on (the tests give their own)
ENCODING = "gbk"  # FeiQ runs on Chinese Windows
FIELDS = ("version", "packet_no", "user", "host", "command", "text")


def build_packet(packet_no, user, host, command, text):
    """The packet f"{VERSION}:{packet_no}:{user}:{host}:{command}:{text}" encoded in GBK.
    user or host containing ":", or packet_no / command not a whole number >= 0: ValueError
    naming the field.  text may contain ":"."""
    raise NotImplementedError("TODO: build_packet")


def parse_packet(data):
    """The fields of a packet (bytes, GBK) as a dict with the keys of FIELDS (packet_no and
    command as int); ValueError if data is not such a packet."""
    raise NotImplementedError("TODO: parse_packet")


def send_message(ip, port, packet_no, user, host, text):
    """Send text to (ip, port) as one IPMSG_SENDMSG datagram; return the number of bytes sent."""
    raise NotImplementedError("TODO: send_message")
