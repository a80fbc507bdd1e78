"""udp/struct: the five TFTP packets (RFC 1350) packed and unpacked with struct, in network byte order.

Every check sends the probe a list of calls and compares each result with the bytes (or the
dict) this file builds on its own, independently of the learner's code.  Names of every length
are used (0 to 1000 bytes, Chinese too): the notes' ``"!H10sb5sb"`` only fits a 10-byte name.
"""
from __future__ import annotations

import random
from dataclasses import dataclass

from grader.feedback import fail

OPCODES = {"RRQ": 1, "WRQ": 2, "DATA": 3, "ACK": 4, "ERROR": 5}
BYTE_ORDER_HINT = dict(
    hint_zh="网络字节序是大端：格式串以 ! 开头，例如 struct.pack(\"!HH\", 4, block)；不写 ! 就是本机的小端顺序。",
    hint_en="Network byte order is big-endian: start the format with !, e.g. struct.pack(\"!HH\", 4, block); "
            "without ! it is this machine's little-endian order.",
)
LENGTH_HINT = dict(
    hint_zh="笔记里的 \"!H10sb5sb\" 只适合 10 字节的文件名：按实际长度拼格式串（f\"!H{len(name)}sB{len(mode)}sB\"），"
            "或者直接拼接字节：struct.pack(\"!H\", 1) + name + b\"\\0\" + mode + b\"\\0\"。",
    hint_en="The notes' \"!H10sb5sb\" fits a 10-byte file name only: build the format from the real lengths "
            "(f\"!H{len(name)}sB{len(mode)}sB\") or join bytes: struct.pack(\"!H\", 1) + name + b\"\\0\" + mode + b\"\\0\".",
)


# -- the packets, built here ----------------------------------------------------------------
def u16(n: int) -> bytes:
    return n.to_bytes(2, "big")


def rrq(name: str, mode: str = "octet", opcode: int = 1) -> bytes:
    return u16(opcode) + name.encode() + b"\0" + mode.encode() + b"\0"


def data(block: int, payload: bytes) -> bytes:
    return u16(3) + u16(block) + payload


def ack(block: int) -> bytes:
    return u16(4) + u16(block)


def error(code: int, message: str) -> bytes:
    return u16(5) + u16(code) + message.encode() + b"\0"


@dataclass(frozen=True)
class Call:
    """One call of a learner function, as the learner reads it, and what it must give."""

    function: str
    args: tuple
    expected: object  # bytes / dict, or REJECTED
    round_trip: bool = False  # the packet made goes through the learner's unpack

    @property
    def label(self) -> str:
        shown = f"{self.function}({', '.join(short(a) for a in self.args)})"
        return f"unpack({shown})" if self.round_trip else shown


REJECTED = "ValueError"


def short(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:30]}…{text[-6:]} (len {len(value)})"


def names() -> list[str]:
    """File names of every length, generated the same way on every run."""
    rng = random.Random(1350)
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-"
    out = ["".join(rng.choice(alphabet) for _ in range(n)) for n in (0, 1, 9, 11, 64, 255, 511, 1000)]
    return out + ["rabbit.jpg", "兔子.jpg", "目录/子目录/a file name with spaces.bin"]


# -- comparing ------------------------------------------------------------------------------
def difference(got: bytes, expected: bytes) -> str:
    """Where two packets first differ, byte by byte, for the learner."""
    for i, (a, b) in enumerate(zip(got, expected, strict=False)):
        if a != b:
            return (f"第 {i} 个字节起不同 / first differs at byte {i}: "
                    f"得到 / got {got[i:i + 8].hex(' ')}，期望 / expected {expected[i:i + 8].hex(' ')}")
    return f"长度不同 / lengths differ: 得到 / got {len(got)} 字节 / bytes，期望 / expected {len(expected)}"


def observed_text(obs: dict) -> str:
    if "raised" in obs:
        return f"raised {obs['raised']}: {obs['message']}"
    value = obs["value"]
    return value.hex(" ") if isinstance(value, bytes) else repr(value)


def expected_text(want) -> str:
    if want is REJECTED:
        return "raises ValueError"
    return want.hex(" ") if isinstance(want, bytes) else repr(want)


def agree(observed: list, calls: list[Call], zh: str, en: str, **kw):
    """Each call's observation must be its expected value (same type), or a ValueError where it
    must be rejected; the first call that differs fails the check, named."""
    labels = [label for label, _ in observed]
    if labels != [c.label for c in calls]:
        raise AssertionError(f"probe answered {labels[:3]}… for {[c.label for c in calls][:3]}…")
    for (label, obs), call in zip(observed, calls, strict=True):
        want = call.expected
        if want is REJECTED:
            ok = obs.get("value_error") is True
        else:
            ok = "value" in obs and type(obs["value"]) is type(want) and obs["value"] == want
        if ok:
            continue
        details = None
        if isinstance(want, bytes) and isinstance(obs.get("value"), bytes):
            details = difference(obs["value"], want)
        fail(zh, en, sent=label, expected=expected_text(want), got=observed_text(obs), details=details, **kw)


def run(learner, calls: list[Call], zh: str, en: str, **kw):
    probe = "round_trips" if calls[0].round_trip else "evaluate"
    observed = learner.call(probe, [[c.label, c.function, c.args] for c in calls])
    agree(observed, calls, zh, en, **kw)


# -- checks ---------------------------------------------------------------------------------
BLOCKS = [0, 1, 2, 127, 128, 255, 256, 258, 4660, 32767, 32768, 65534, 65535]


def test_ack_network_byte_order(learner):
    calls = [Call("pack_ack", (b,), ack(b)) for b in BLOCKS]
    run(learner, calls, "pack_ack 打包出的 ACK 不对：2 字节操作码 4，再 2 字节块编号，都是网络字节序（大端）。",
        "pack_ack built the wrong ACK: a 2-byte opcode 4, then the 2-byte block number, both in network byte "
        "order (big-endian).", **BYTE_ORDER_HINT)


def test_data_packet(learner):
    full = bytes(range(256)) * 2  # 512 bytes: every byte value, NUL, CR and LF included
    cases = [(1, b""), (1, full), (258, b"\r\n\x00\xff"), (65535, b"last"), (0, b"after 65535 comes 0")]
    calls = [Call("pack_data", (b, p), data(b, p)) for b, p in cases]
    run(learner, calls, "pack_data 打包出的 DATA 不对：操作码 3、块编号（各 2 字节，大端），后面原样跟着数据。",
        "pack_data built the wrong DATA: opcode 3 and block number (2 bytes each, big-endian), then the data "
        "as it is.", **BYTE_ORDER_HINT)


def test_request_with_names_of_any_length(learner):
    calls = []
    for i, name in enumerate(names()):
        mode = ("octet", "netascii", "mail")[i % 3]
        calls.append(Call("pack_rrq", (name, mode), rrq(name, mode)))
        calls.append(Call("pack_wrq", (name, mode), rrq(name, mode, opcode=2)))
    calls.append(Call("pack_rrq", ("rabbit.jpg",), rrq("rabbit.jpg")))  # mode left to its default
    run(learner, calls, "RRQ/WRQ 打包不对：操作码（1 或 2，大端 2 字节）+ 文件名（UTF-8，任意长度）+ 0 + 模式 + 0。",
        "RRQ/WRQ packed wrong: opcode (1 or 2, 2 bytes big-endian) + file name (UTF-8, any length) + 0 + mode + 0.",
        **LENGTH_HINT)


def test_error_packet(learner):
    cases = [(1, "File not found"), (0, "文件不存在"), (7, ""), (65535, "x" * 600)]
    calls = [Call("pack_error", (c, m), error(c, m)) for c, m in cases]
    run(learner, calls, "pack_error 打包出的 ERROR 不对：操作码 5、错误码（各 2 字节，大端）、错误信息（UTF-8）、最后一个 0 字节。",
        "pack_error built the wrong ERROR: opcode 5 and error code (2 bytes each, big-endian), the message "
        "(UTF-8), then one 0 byte.",
        hint_zh="struct.pack(\"!HH\", 5, code) + message.encode(\"utf-8\") + b\"\\0\"：格式串以 ! 开头，信息用 UTF-8，最后一个 0 字节不能少。",
        hint_en="struct.pack(\"!HH\", 5, code) + message.encode(\"utf-8\") + b\"\\0\": a format starting with !, the "
                "message in UTF-8, and the closing 0 byte.")


def test_unpack_each_kind(learner):
    long_name = names()[-4]
    packets = [
        (rrq("rabbit.jpg"), {"opcode": 1, "filename": "rabbit.jpg", "mode": "octet"}),
        (rrq("兔子.jpg", "netascii", 2), {"opcode": 2, "filename": "兔子.jpg", "mode": "netascii"}),
        (rrq(long_name), {"opcode": 1, "filename": long_name, "mode": "octet"}),
        (rrq(""), {"opcode": 1, "filename": "", "mode": "octet"}),
        (data(1, b""), {"opcode": 3, "block": 1, "data": b""}),
        (data(258, bytes(range(256)) * 2), {"opcode": 3, "block": 258, "data": bytes(range(256)) * 2}),
        (data(65535, b"\0\0"), {"opcode": 3, "block": 65535, "data": b"\0\0"}),
        (data(7, b"y" * 510), {"opcode": 3, "block": 7, "data": b"y" * 510}),
        (data(8, b"z" * 511), {"opcode": 3, "block": 8, "data": b"z" * 511}),
        (ack(0), {"opcode": 4, "block": 0}),
        (ack(258), {"opcode": 4, "block": 258}),
        (ack(65535), {"opcode": 4, "block": 65535}),
        (error(1, "File not found"), {"opcode": 5, "code": 1, "message": "File not found"}),
        (error(2, "访问被拒绝"), {"opcode": 5, "code": 2, "message": "访问被拒绝"}),
        (error(0, ""), {"opcode": 5, "code": 0, "message": ""}),
    ]
    calls = [Call("unpack", (p,), want) for p, want in packets]
    run(learner, calls, "unpack 解析的结果不对（见 README 里每种报文的字典）。",
        "unpack gave the wrong result (see the dict of each kind of packet in README.md).", **BYTE_ORDER_HINT)


def generated_packets() -> list[Call]:
    """Values of every kind, generated the same way on every run, and what unpack must give back."""
    rng = random.Random(30)
    alphabet = "abcxyz019._- 兔子图片文件"
    out = []
    for _ in range(12):
        name = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 700)))
        kind, opcode = rng.choice([("pack_rrq", 1), ("pack_wrq", 2)])
        mode = rng.choice(["octet", "netascii", "mail"])
        out.append(Call(kind, (name, mode), {"opcode": opcode, "filename": name, "mode": mode}, True))
        block, payload = rng.randrange(65536), rng.randbytes(rng.randrange(0, 513))
        out.append(Call("pack_data", (block, payload), {"opcode": 3, "block": block, "data": payload}, True))
        block = rng.randrange(65536)
        out.append(Call("pack_ack", (block,), {"opcode": 4, "block": block}, True))
        code, message = rng.randrange(65536), "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 300)))
        out.append(Call("pack_error", (code, message), {"opcode": 5, "code": code, "message": message}, True))
    return out


def test_round_trip(learner):
    run(learner, generated_packets(), "unpack(pack_…(…)) 没有还原出原来的值。",
        "unpack(pack_…(…)) did not give back the values packed.",
        hint_zh="pack_… 和 unpack 要用同一种格式：大端、文件名/信息以 0 结尾、任意长度。",
        hint_en="pack_… and unpack must agree: big-endian, names and messages ending in 0, any length.")


def test_pack_rejects_bad_values(learner):
    calls = [
        Call("pack_ack", (65536,), REJECTED),
        Call("pack_ack", (-1,), REJECTED),
        Call("pack_data", (70000, b""), REJECTED),
        Call("pack_data", (1, b"x" * 513), REJECTED),
        Call("pack_rrq", ("a\0b",), REJECTED),
        Call("pack_wrq", ("ok.txt", "oct\0et"), REJECTED),
        Call("pack_error", (65536, "x"), REJECTED),
        Call("pack_error", (1, "bad\0message"), REJECTED),
    ]
    run(learner, calls, "装不进 TFTP 报文的值应抛出 ValueError：块编号/错误码不在 0–65535，数据超过 512 字节，文本里有 0 字节。",
        "Values a TFTP packet cannot hold must raise ValueError: a block number or error code outside 0–65535, "
        "more than 512 bytes of data, a NUL byte inside a text.",
        hint_zh="struct.error 不是 ValueError：自己先检查范围和长度，再 raise ValueError(...)。",
        hint_en="struct.error is not a ValueError: check ranges and lengths yourself first, then raise ValueError(...).")


def test_unpack_rejects_malformed(learner):
    malformed = [
        b"",
        b"\x00",
        b"\x00\x00",  # opcode 0
        b"\x00\x00\x00\x01",  # opcode 0, shaped like an ACK
        b"\x00\x00\x00\x01oops\x00",  # opcode 0, shaped like an ERROR
        b"\x00\x06\x00\x00",  # opcode 6
        b"\x00\x06\x00\x01oops\x00",  # opcode 6, shaped like an ERROR
        b"\x01\x03\x00\x01hi",  # opcode 259: reading only its second byte would take it for DATA
        b"\x00\x01rabbit.jpg",  # name without its 0 byte
        b"\x00\x01rabbit.jpg\x00octet",  # mode without its 0 byte
        b"\x00\x01\xff\xfe\x00octet\x00",  # name not UTF-8
        b"\x00\x03\x00",  # DATA too short for a block number
        data(1, b"x" * 513),  # more than 512 bytes of data
        b"\x00\x04\x00",  # ACK too short
        b"\x00\x04\x00\x01\x00",  # ACK too long
        b"\x00\x05\x00",  # ERROR too short for a code
        b"\x00\x05\x00\x01",  # ERROR without its message's 0 byte
        b"\x00\x05\x00\x01oops",
    ]
    calls = [Call("unpack", (p,), REJECTED) for p in malformed]
    run(learner, calls, "不合格式的报文，unpack 应抛出 ValueError（见 README 的列表）。",
        "unpack must raise ValueError for a malformed packet (see the list in README.md).",
        hint_zh="操作码是 2 字节大端数（struct.unpack(\"!H\", packet[:2])），只能是 1–5；检查长度和结尾的 0 字节。",
        hint_en="The opcode is a 2-byte big-endian number (struct.unpack(\"!H\", packet[:2])), 1–5 only; check "
                "lengths and the closing 0 bytes.")
