"""udp/ipmsg: the notes' 给飞秋发送数据 — build, parse and send the IPMSG packet in GBK.

The packet is ``版本:包号:用户:主机:命令:内容`` (``1.0:100:李白:127.0.0.1:32:你好``), encoded in
GBK.  ``:`` separates the fields, so a user or host containing ``:`` must be refused with a
ValueError that names the field; the text, the last field, may hold any ``:``.  The checks
compare exact bytes, run generated fields (names of any length, Chinese, colons in the text)
through build and parse, and catch the one datagram ``send_message`` sends with a UDP
receiver of the test on 127.0.0.1.
"""
from __future__ import annotations

import random

from grader.feedback import check, fail
from kit.calls import raised
from kit.udp_peers import first_difference, receive, shown, udp_socket

VERSION = "1.0"
SENDMSG = 32


def packet(packet_no, user, host, command, text) -> bytes:
    """The expected bytes, written out here (not computed by the learner's code)."""
    return f"{VERSION}:{packet_no}:{user}:{host}:{command}:{text}".encode("gbk")


def fields(packet_no, user, host, command, text) -> dict:
    return {"packet_no": packet_no, "user": user, "host": host, "command": command, "text": text}


def call_text(name: str, f: dict) -> str:
    return f"{name}(" + ", ".join(f"{k}={v!r}" for k, v in f.items()) + ")"


def observed(result: dict) -> str:
    if "raised" in result:
        return f"{result['raised']}: {result['message']}"
    value = result.get("value")
    return shown(value) if isinstance(value, bytes) else repr(value)


def expect_bytes(result: dict, expected: bytes, call: str, zh: str, en: str, **kw):
    got = result.get("value")
    if got != expected:
        fail(zh, en, sent=call, expected=shown(expected), got=observed(result),
             details=first_difference(got, expected) if isinstance(got, bytes) else None, **kw)


def expect_raises(result: dict, types: tuple[str, ...], call: str, zh: str, en: str, *, names: str | None = None, **kw):
    """The call raised one of ``types`` (and its message names ``names``, if given)."""
    ok = result.get("raised") in types and (names is None or names in result.get("message", ""))
    if not ok:
        want = " / ".join(types) + (f"（消息里写明 / naming {names!r}）" if names else "")
        fail(zh, en, sent=call, expected=want, got=observed(result), **kw)


BUILD_HINT = dict(hint_zh="f\"{VERSION}:{packet_no}:{user}:{host}:{command}:{text}\".encode(\"gbk\")。",
                  hint_en="f\"{VERSION}:{packet_no}:{user}:{host}:{command}:{text}\".encode(\"gbk\").")


def test_builds_exact_bytes(learner):
    cases = {
        "笔记的例子 / the notes' example": fields(100, "李白", "127.0.0.1", SENDMSG, "你好"),
        "ASCII": fields(1, "alice", "pc-1", SENDMSG, "hello"),
        "空内容 / empty text": fields(2, "杜甫", "127.0.0.1", SENDMSG, ""),
        "其他命令 / another command": fields(3, "王维", "127.0.0.1", 1, ""),
        "一个字的名字 / a one-character name": fields(4, "白", "h", SENDMSG, "短"),
        "300 字的名字 / a 300-character name": fields(5, "长名字" * 100, "主机" * 60, SENDMSG, "长"),
        "很长的内容 / a long text": fields(6, "李白", "127.0.0.1", SENDMSG, "床前明月光，疑是地上霜。" * 200),
    }
    got = learner.call("build", [[label, f] for label, f in cases.items()])
    for label, f in cases.items():
        expect_bytes(got[label], packet(**f), call_text("build_packet", f), f"{label}：报文的字节不对（版本:包号:用户:主机:命令:内容，GBK 编码）。",
                     f"{label}: wrong packet bytes (version:packet_no:user:host:command:text, in GBK).", **BUILD_HINT)


def test_rejects_bad_fields(learner):
    cases = {
        "user 含 ':' / user with ':'": ("user", fields(7, "李:白", "127.0.0.1", SENDMSG, "你好")),
        "host 是 IPv6 地址 / host an IPv6 address": ("host", fields(7, "李白", "::1", SENDMSG, "你好")),
        "packet_no 是含 ':' 的字符串 / packet_no a str with ':'": ("packet_no", fields("7:7", "李白", "127.0.0.1", SENDMSG, "你好")),
        "command 是含 ':' 的字符串 / command a str with ':'": ("command", fields(7, "李白", "127.0.0.1", "32:x", "你好")),
        "packet_no 是负数 / packet_no negative": ("packet_no", fields(-1, "李白", "127.0.0.1", SENDMSG, "你好")),
    }
    got = learner.call("build", [[label, f] for label, (_, f) in cases.items()])
    for label, (name, f) in cases.items():
        zh, en = label.split(" / ")
        expect_raises(got[label], ("ValueError",), call_text("build_packet", f),
                      f"{zh}：build_packet 应抛出 ValueError，消息里写明是哪个字段（{name}）。",
                      f"{en}: build_packet must raise ValueError whose message names the field ({name}).", names=name,
                      hint_zh=f"':' 是字段分隔符，包号和命令是 >= 0 的整数：raise ValueError(\"{name} ...\")。收到的人会把字段切错。",
                      hint_en=f"':' separates the fields, and packet_no and command are whole numbers >= 0: raise "
                              f"ValueError(\"{name} ...\"). The receiver would split the fields wrong.")


def test_keeps_colons_in_text(learner):
    f = fields(8, "李白", "127.0.0.1", SENDMSG, "时间: 12:30 / time: 12:30")
    call = call_text("build_packet", f)
    got = learner.call("build", [["text", f]])["text"]
    expect_bytes(got, packet(**f), call, "内容（最后一个字段）可以包含 ':'，应原样写进报文。",
                 "The text (the last field) may contain ':' and must be written as it is.",
                 hint_zh="只检查 user 和 host 里的 ':'。", hint_en="Check user and host for ':', not the text.")
    parsed = learner.call("parse", [["text", packet(**f)]])["text"]
    expected = {"version": VERSION, **f}
    check(parsed.get("value") == expected, "解析时内容里的 ':' 应保留：前 5 个 ':' 才是分隔符。",
          "When parsing, the colons in the text must stay: only the first 5 ':' separate fields.",
          sent=f"parse_packet({shown(packet(**f))})", expected=repr(expected), got=observed(parsed),
          hint_zh="data.decode(\"gbk\").split(\":\", 5)。", hint_en="data.decode(\"gbk\").split(\":\", 5).")


def test_refuses_what_gbk_cannot_write(learner):
    f = fields(9, "李白", "127.0.0.1", SENDMSG, "笑脸 😀")
    got = learner.call("build", [["emoji", f]])["emoji"]
    expect_raises(got, ("UnicodeEncodeError",), call_text("build_packet", f),
                  "GBK 写不出的字符（😀）应让 build_packet 抛出 UnicodeEncodeError，而不是悄悄丢掉或换成 ?。",
                  "A character GBK cannot write (😀) must make build_packet raise UnicodeEncodeError, not be dropped or "
                  "replaced silently.", hint_zh=".encode(\"gbk\")，不要加 errors=\"ignore\" 或 \"replace\"。",
                  hint_en=".encode(\"gbk\") without errors=\"ignore\" or \"replace\".")


def test_parses_fields(learner):
    cases = {
        "笔记的例子 / the notes' example": fields(100, "李白", "192.168.2.155", SENDMSG, "你好"),
        "空的名字和内容 / empty name and text": fields(0, "", "h", 1, ""),
        "内容有换行 / a text with newlines": fields(12345, "alice", "pc-1", SENDMSG, "第一行\n第二行\r\n"),
    }
    got = learner.call("parse", [[label, packet(**f)] for label, f in cases.items()])
    for label, f in cases.items():
        expected = {"version": VERSION, **f}
        check(got[label].get("value") == expected, f"{label}：parse_packet 解析出的字段不对（包号和命令是 int）。",
              f"{label}: parse_packet gave the wrong fields (packet_no and command are ints).",
              sent=f"parse_packet({shown(packet(**f))})", expected=repr(expected), got=observed(got[label]),
              hint_zh="返回 dict，键是 FIELDS 里的名字；packet_no 和 command 用 int()。",
              hint_en="Return a dict keyed by the names in FIELDS; int() for packet_no and command.")


def generated(count: int, seed: int = 29) -> list[dict]:
    """Fields of any length: ASCII, Chinese, spaces, newlines; colons only in the text."""
    rng = random.Random(seed)
    alphabet = "abcXYZ019 _-.李白杜甫王维你好世界，。！\n"

    def word(most: int) -> str:
        return "".join(rng.choice(alphabet) for _ in range(rng.choice([0, 1, 2, 10, rng.randint(0, most)])))

    out = []
    for i in range(count):
        text = ":".join(word(40) for _ in range(rng.randint(0, 4)))
        out.append({"version": VERSION, "packet_no": rng.choice([0, i, rng.randint(0, 2**40)]), "user": word(300),
                    "host": word(60), "command": rng.choice([SENDMSG, 0, 1, 33, 288]), "text": text})
    return out


def test_round_trip(learner):
    cases = generated(200)
    got = learner.call("round_trips", [[str(i), f] for i, f in enumerate(cases)])
    for i, f in enumerate(cases):
        one = got[str(i)]
        if one.get("value") != f:
            args = {k: v for k, v in f.items() if k != "version"}
            fail(f"build_packet 再 parse_packet 应得到原来的字段（生成的第 {i + 1}/{len(cases)} 组不一致）。",
                 f"build_packet then parse_packet must give back the same fields (generated case {i + 1} of {len(cases)} "
                 "differs).", sent=f"parse_packet({call_text('build_packet', args)})", expected=repr(f), got=observed(one),
                 details="不同的字段 / fields that differ: " + ", ".join(
                     k for k in f if not isinstance(one.get("value"), dict) or one["value"].get(k) != f[k]),
                 hint_zh="名字可以是任意长度（包括空的），内容里可以有 ':' 和换行。",
                 hint_en="Names may have any length (empty too); the text may hold ':' and newlines.")


def test_parse_rejects_malformed(learner):
    cases = {
        "只有 3 个字段 / 3 fields only": b"1.0:100:li",
        "包号不是数字 / packet_no not a number": b"1.0:abc:li:h:32:x",
        "命令不是数字 / command not a number": b"1.0:1:li:h:cmd:x",
        "不是 GBK / not GBK": b"1.0:1:li:h:32:\xff\xff",
    }
    got = learner.call("parse", list(map(list, cases.items())))
    for label, data in cases.items():
        expect_raises(got[label], ("ValueError", "UnicodeDecodeError"), f"parse_packet({shown(data)})",
                      f"{label}：不是 IPMSG 报文，parse_packet 应抛出 ValueError。",
                      f"{label}: this is not an IPMSG packet; parse_packet must raise ValueError.",
                      hint_zh="字段数不是 6、包号或命令不是整数：raise ValueError(...)。",
                      hint_en="Not 6 fields, or packet_no / command not a whole number: raise ValueError(...).")


def sent_to_receiver(learner, text: str = "你好，飞秋！"):
    """send_message to a UDP receiver of the test: (the probe's record, the datagrams caught)."""
    with udp_socket() as receiver:
        ip, port = receiver.getsockname()
        record = learner.call("send", ip, port, 100, "李白", "127.0.0.1", text)
        first = receive(receiver, 1.0 if record["done"] else 0)
        caught = [first] if first else []
        while caught and (more := receive(receiver, 0)):  # anything else already there
            caught.append(more)
    return (ip, port), record, caught


def test_sends_one_datagram(learner):
    (ip, port), record, caught = sent_to_receiver(learner)
    call = f"send_message({ip!r}, {port}, 100, '李白', '127.0.0.1', '你好，飞秋！')"
    if not record["done"]:
        fail(f"{call} 在 3 秒后还没有返回。", f"{call} had not returned after 3 s.", details=record.get("stack"))
    if record["error"]:
        raised(record["error"], call)
    expected = packet(100, "李白", "127.0.0.1", SENDMSG, "你好，飞秋！")
    check(len(caught) == 1, "测试的接收端应正好收到一个数据报。", "The test's receiver must get exactly one datagram.", sent=call,
          expected="1", got=f"{len(caught)}: " + ", ".join(shown(d.data) for d in caught),
          hint_zh="一次 sendto，整个报文作为一个数据报。", hint_en="One sendto: the whole packet as one datagram.")
    check(caught[0].data == expected, "发出的数据报应是命令号 32（IPMSG_SENDMSG）的报文，GBK 编码。",
          "The datagram sent must be the packet with command 32 (IPMSG_SENDMSG), in GBK.", sent=call, expected=shown(expected),
          got=shown(caught[0].data), details=first_difference(caught[0].data, expected))
    check(record["value"] == len(expected), "send_message 应返回发送的字节数。", "send_message must return the number of bytes sent.",
          sent=call, expected=len(expected), got=repr(record["value"]), hint_zh="return sock.sendto(...)。",
          hint_en="return sock.sendto(...).")


def test_send_closes_socket(learner):
    _, record, _ = sent_to_receiver(learner)
    check(record["done"] and not record["error"], "send_message 没有正常返回。", "send_message did not return normally.",
          got=(record["error"] or {}).get("message") or record.get("stack"))
    check(record["open_sockets"] == 0 and not record["unclosed"], "send_message 返回前应关闭它的套接字（不是留给垃圾回收）。",
          "send_message must close its socket before it returns (not leave it to the garbage collector).",
          got=f"{record['open_sockets']} open; " + "; ".join(record["unclosed"]),
          hint_zh="with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock: ...",
          hint_en="with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock: ...")
