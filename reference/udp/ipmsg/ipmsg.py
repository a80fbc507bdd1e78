"""给飞秋发送数据 / Sending to FeiQ (IPMSG) — reference solution."""
import socket

VERSION = "1.0"  # as in the notes
IPMSG_SENDMSG = 32  # command number: "send a message"
IPMSG_PORT = 2425  # the port FeiQ / IP Messenger listens on (the tests give their own)
ENCODING = "gbk"  # FeiQ runs on Chinese Windows
FIELDS = ("version", "packet_no", "user", "host", "command", "text")


def build_packet(packet_no, user, host, command, text):
    """The packet "版本:包号:用户:主机:命令:内容" in GBK.  ":" separates the fields, so user and
    host must not contain one (text, the last field, may); packet_no and command are whole
    numbers >= 0.  Otherwise ValueError naming the field."""
    for name, value in (("packet_no", packet_no), ("command", command)):
        if type(value) is not int or value < 0:
            raise ValueError(f"{name} 必须是 >= 0 的整数 / {name} must be a whole number >= 0, not {value!r}")
    for name, value in (("user", user), ("host", host)):
        if not isinstance(value, str):
            raise ValueError(f"{name} 必须是字符串 / {name} must be a str, not {value!r}")
        if ":" in value:
            raise ValueError(f"{name} 不能包含 ':' / {name} must not contain ':': {value!r}")
    # strict: a character GBK cannot write raises UnicodeEncodeError, never silently dropped
    return f"{VERSION}:{packet_no}:{user}:{host}:{command}:{text}".encode(ENCODING)


def parse_packet(data):
    """The fields of a packet (bytes, GBK) as a dict; ValueError if it is not one."""
    fields = data.decode(ENCODING).split(":", 5)  # the text is the rest, colons and all
    if len(fields) < len(FIELDS):  # (split(":", 5) never gives more)
        raise ValueError(f"IPMSG 报文应有 6 个字段 / an IPMSG packet has 6 fields, this one {len(fields)}: {data!r}")
    packet = {name: fields[i] for i, name in enumerate(FIELDS)}
    for name in ("packet_no", "command"):
        if not packet[name].isdigit():
            raise ValueError(f"{name} 不是整数 / {name} is not a whole number: {packet[name]!r}")
        packet[name] = int(packet[name])
    return packet


def send_message(ip, port, packet_no, user, host, text):
    """Send text to (ip, port) as one IPMSG_SENDMSG packet; return the number of bytes sent."""
    packet = build_packet(packet_no, user, host, IPMSG_SENDMSG, text)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        return sock.sendto(packet, (ip, port))
