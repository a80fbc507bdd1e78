"""字节序与 struct：TFTP 报文 / Byte order and struct: TFTP packets — see README.md."""
import struct  # noqa: F401

RRQ, WRQ, DATA, ACK, ERROR = 1, 2, 3, 4, 5
BLOCK_SIZE = 512


def pack_rrq(filename, mode="octet"):
    """RRQ: opcode 1, filename (UTF-8), 0, mode, 0 — numbers in network byte order."""
    raise NotImplementedError("TODO: pack_rrq")


def pack_wrq(filename, mode="octet"):
    """WRQ: opcode 2, filename (UTF-8), 0, mode, 0."""
    raise NotImplementedError("TODO: pack_wrq")


def pack_data(block, data):
    """DATA: opcode 3, block number, then at most 512 bytes of data."""
    raise NotImplementedError("TODO: pack_data")


def pack_ack(block):
    """ACK: opcode 4, block number."""
    raise NotImplementedError("TODO: pack_ack")


def pack_error(code, message):
    """ERROR: opcode 5, error code, message (UTF-8), 0."""
    raise NotImplementedError("TODO: pack_error")


def unpack(packet):
    """Any of the five packets as a dict (see README.md); ValueError for a malformed one."""
    raise NotImplementedError("TODO: unpack")
