"""字节序与 struct：TFTP 报文 / Byte order and struct: TFTP packets — reference solution."""
import struct

RRQ, WRQ, DATA, ACK, ERROR = 1, 2, 3, 4, 5
BLOCK_SIZE = 512


def _text(value, what):
    """A name, mode or message as UTF-8 bytes for a NUL-terminated field."""
    raw = value.encode("utf-8")
    if b"\0" in raw:
        raise ValueError(f"{what} must not contain a NUL character: {value!r}")
    return raw


def _number(value, what):
    if not 0 <= value <= 0xFFFF:
        raise ValueError(f"{what} must be in 0..65535, not {value}")
    return value


def _request(opcode, filename, mode):
    name, mode = _text(filename, "filename"), _text(mode, "mode")
    return struct.pack(f"!H{len(name)}sB{len(mode)}sB", opcode, name, 0, mode, 0)


def pack_rrq(filename, mode="octet"):
    return _request(RRQ, filename, mode)


def pack_wrq(filename, mode="octet"):
    return _request(WRQ, filename, mode)


def pack_data(block, data):
    if len(data) > BLOCK_SIZE:
        raise ValueError(f"a DATA packet carries at most {BLOCK_SIZE} bytes, not {len(data)}")
    return struct.pack("!HH", DATA, _number(block, "block number")) + bytes(data)


def pack_ack(block):
    return struct.pack("!HH", ACK, _number(block, "block number"))


def pack_error(code, message):
    text = _text(message, "message")
    return struct.pack(f"!HH{len(text)}sB", ERROR, _number(code, "error code"), text, 0)


def _strings(body, count, what):
    """The first ``count`` NUL-terminated UTF-8 fields of ``body``; each NUL must be there."""
    parts = body.split(b"\0")
    if len(parts) <= count:
        raise ValueError(f"{what}: a field is missing its terminating NUL byte")
    return [part.decode("utf-8") for part in parts[:count]]


def unpack(packet):
    if len(packet) < 2:
        raise ValueError(f"a TFTP packet has at least 2 bytes (the opcode), not {len(packet)}")
    (opcode,) = struct.unpack("!H", packet[:2])
    body = packet[2:]
    if opcode in (RRQ, WRQ):
        filename, mode = _strings(body, 2, "RRQ/WRQ")
        return {"opcode": opcode, "filename": filename, "mode": mode}
    if opcode == DATA:
        if len(body) < 2 or len(body) - 2 > BLOCK_SIZE:
            raise ValueError(f"a DATA packet has 4 to {4 + BLOCK_SIZE} bytes, not {len(packet)}")
        (block,) = struct.unpack("!H", body[:2])
        return {"opcode": DATA, "block": block, "data": bytes(body[2:])}
    if opcode == ACK:
        if len(body) != 2:
            raise ValueError(f"an ACK packet has exactly 4 bytes, not {len(packet)}")
        (block,) = struct.unpack("!H", body)
        return {"opcode": ACK, "block": block}
    if opcode == ERROR:
        if len(body) < 3:
            raise ValueError(f"an ERROR packet has at least 5 bytes, not {len(packet)}")
        (code,) = struct.unpack("!H", body[:2])
        (message,) = _strings(body[2:], 1, "ERROR")
        return {"opcode": ERROR, "code": code, "message": message}
    raise ValueError(f"unknown TFTP opcode {opcode}")
