"""udp/echo: a UDP server that answers every datagram, and a client that asks and waits.

The server (``serve(host, port, timestamp=False)``) runs as a learner process bound to
127.0.0.1 on a port the OS picked; the test's own sockets send it datagrams and read the
replies.  The client (``ask(host, port, text, encoding, timeout)``) is called in the sandbox
(through the probe, bounded and timed) against trusted UDP sockets of the test that answer,
answer late, answer from the wrong address, or never answer.

The protocol: one datagram in, one datagram back to the sender's address.  At most BUFSIZE =
1024 bytes are read: a longer datagram is cut by the kernel, and the cut must be shown (the
server prints ``数据报被截断: <addr>``; the client raises ValueError), never hidden.
"""
from __future__ import annotations

import calendar
import re
import socket
import threading
import time
from contextlib import ExitStack

from grader.feedback import check, fail
from kit.calls import raised
from kit.echo import crash_details, paused
from kit.lines import wait_output
from kit.udp_peers import (
    HOST,
    Datagram,
    Responder,
    Silent,
    first_difference,
    receive,
    same_core,
    shown,
    udp_socket,
    wait_until_waiting_for_datagram,
)

BUFSIZE = 1024
SERVER_HOST = "127.0.0.2"  # the test's server for the strangers check: strangers on both sides of it
CLOSE_TO_NOW = 120  # seconds: a stamp must be the current time (local or UTC), not a constant
STAMPED = re.compile(rb"\[(?P<ts>[^\]]*)\] (?P<data>.*)", re.DOTALL)
FIXED = "Mon Jan  1 00:00:00 2024"  # an example stamp, for messages

SERVER_HINT = dict(
    hint_zh="data, addr = sock.recvfrom(...)；sock.sendto(回复, addr)：每个数据报都回给它自己的发送方。",
    hint_en="data, addr = sock.recvfrom(...); sock.sendto(reply, addr): answer every datagram to its own sender.",
)
BYTES_HINT = dict(
    hint_zh="不要解码再编码：收到的是字节，原样（或加上时间戳字节）发回，GBK、空数据报都不受影响。",
    hint_en="Do not decode and re-encode: what arrives is bytes; send the bytes back (after the stamp's bytes), so GBK "
            "and empty datagrams come through unchanged.",
)


# -- the server -------------------------------------------------------------------------------
def server(learner, timestamp: bool = False):
    args = (HOST, 0, True) if timestamp else (HOST, 0)
    return learner.server("udp_echo:serve", *args, kind="udp")


def exchange(srv, sock, data: bytes) -> Datagram | None:
    """Send one datagram to the learner server; the next datagram back (None: none came)."""
    sock.sendto(data, srv.address)
    return receive(sock, srv.timeout)


def from_server(srv, got: Datagram | None, expected: bytes, zh: str, en: str, *, sent: str, **kw) -> Datagram:
    """A reply came, and from the address the server is bound to."""
    if got is None:
        fail(f"{zh}：{srv.timeout:g} 秒内没有收到回复。", f"{en}: no reply within {srv.timeout:g} s.", sent=sent,
             expected=shown(expected), details=crash_details(srv), **kw)
    if tuple(got.sender) != tuple(srv.address):
        fail(f"{zh}：回复不是从服务器绑定的地址 {srv.address} 发出的，而是来自 {got.sender}。",
             f"{en}: the reply came from {got.sender}, not from the address the server is bound to, {srv.address}.",
             sent=sent, hint_zh="用绑定的那个套接字 sendto 回复，不要另开一个套接字。",
             hint_en="Reply with sendto on the socket you bound; do not open another socket for it.")
    return got


def expect_reply(srv, got: Datagram | None, expected: bytes, zh: str, en: str, *, sent: str, **kw):
    """The reply must have come from the server's own address and hold exactly ``expected``."""
    got = from_server(srv, got, expected, zh, en, sent=sent, **kw)
    if got.data != expected:
        fail(zh, en, sent=sent, expected=shown(expected), got=shown(got.data),
             details=first_difference(got.data, expected), **kw)


def check_stamped(srv, got: Datagram | None, data: bytes, *, sent: str, **kw):
    """``got`` must be b"[" + <ctime of about now> + b"] " + data."""
    zh, en = "回复应为 b\"[\" + time.ctime() + b\"] \" + 收到的字节", "The reply must be b\"[\" + time.ctime() + b\"] \" + the bytes received"
    example = f"[{FIXED}] ".encode() + data
    got = from_server(srv, got, example, zh, en, sent=sent, **kw)
    match = STAMPED.fullmatch(got.data)
    if match is None or match["data"] != data:
        fail(zh, en, sent=sent, expected=shown(example) + "  (时间为例 / the time is an example)", got=shown(got.data), **kw)
    ts = match["ts"].decode("ascii", "replace")
    try:
        stamp = time.strptime(ts, "%a %b %d %H:%M:%S %Y")
    except ValueError:
        fail("时间戳不是 time.ctime() 的格式。", "The stamp is not in the format of time.ctime().", sent=sent,
             expected=f"[{FIXED}] …  (例如 / e.g.)", got=shown(got.data), hint_zh="用 time.ctime()。", hint_en="Use time.ctime().")
    now = time.time()
    off = min(abs(time.mktime(stamp) - now), abs(calendar.timegm(stamp) - now))  # local time, or UTC
    check(off <= CLOSE_TO_NOW, f"时间戳不是现在的时间（差了 {off:.0f} 秒）。", f"The stamp is not the current time (off by {off:.0f} s).",
          sent=sent, expected=f"[{time.ctime(now)}] …", got=shown(got.data), hint_zh="每次回复时调用 time.ctime()。",
          hint_en="Call time.ctime() for every reply.")


def test_server_echoes_datagram(learner):
    with server(learner) as srv, udp_socket() as sock:
        for text in ["hello", "你好，UDP！", "第三条 / third"]:
            data = text.encode()
            expect_reply(srv, exchange(srv, sock, data), data, "服务器应把数据报原样发回", "The server must send the datagram back unchanged",
                         sent=shown(data), **SERVER_HINT)


def test_server_echoes_any_bytes(learner):
    cases = {
        "GBK 文本 / GBK text": "你好，飞秋！".encode("gbk"),
        "UTF-8 文本 / UTF-8 text": "✓ 多字节 ünïcödé".encode(),
        "任意字节 / any bytes": bytes(range(256)),
    }
    with server(learner) as srv, udp_socket() as sock:
        for label, data in cases.items():
            expect_reply(srv, exchange(srv, sock, data), data, f"服务器应把{label.split(' / ')[0]}的数据报逐字节原样发回",
                         f"The server must send a datagram of {label.split(' / ')[1]} back byte for byte", sent=f"{label}: {shown(data)}",
                         **BYTES_HINT)


def test_server_echoes_empty_datagram(learner):
    with server(learner) as srv, udp_socket() as sock:
        expect_reply(srv, exchange(srv, sock, b""), b"", "空数据报（0 字节）也是一个数据报，应回复一个空数据报",
                     "An empty datagram (0 bytes) is a datagram too: it must be answered with an empty datagram", sent="b'' (0 bytes)",
                     hint_zh="UDP 里 recvfrom 返回 b\"\" 不代表对方关闭（那是 TCP），只是一个空数据报：照常回复，继续服务。",
                     hint_en="In UDP, recvfrom returning b\"\" does not mean the peer closed (that is TCP): it is an empty "
                             "datagram; answer it and keep serving.")
        expect_reply(srv, exchange(srv, sock, b"after"), b"after", "收到空数据报之后，服务器应继续回复",
                     "After an empty datagram the server must keep answering", sent="b'' then b'after'")


def test_server_answers_each_client(learner):
    count = 5
    with server(learner) as srv, ExitStack() as stack:
        socks = [stack.enter_context(udp_socket()) for _ in range(count)]

        def message(i: int, n: int) -> bytes:
            return f"客户端 {i + 1} 第 {n} 条 / client {i + 1} message {n}".encode()

        def expect_own(i: int, n: int, sent: str):
            got = receive(socks[i], srv.timeout)
            expect_reply(srv, got, message(i, n), f"{count} 个客户端同时发送时，第 {i + 1} 个客户端收到的不是它自己那条的回复",
                         f"With {count} clients sending at once, client {i + 1} did not get the reply to its own datagram",
                         sent=sent, **SERVER_HINT)

        # Every client sends before any reply is read: all are waiting at once.
        for i, sock in enumerate(socks):
            sock.sendto(message(i, 1), srv.address)
        for i in range(count):
            expect_own(i, 1, f"{count} 个客户端各发 1 条，之后才读回复 / {count} clients send one each before any reply is read")
        # Again, in the reverse order, two each: every reply to its own sender, in order.
        for i in reversed(range(count)):
            for n in (2, 3):
                socks[i].sendto(message(i, n), srv.address)
        for i in range(count):
            for n in (2, 3):
                expect_own(i, n, f"倒序，每个客户端连发 2 条 / in reverse order, two from each client: {message(i, n).decode()}")


def test_server_shows_truncation(learner):
    whole = bytes(i % 251 for i in range(BUFSIZE))  # exactly BUFSIZE: fits
    big = bytes(i % 253 for i in range(3000))  # more than BUFSIZE: cut by the kernel
    with server(learner) as srv, udp_socket() as fits, udp_socket() as too_big, udp_socket() as last:
        expect_reply(srv, exchange(srv, fits, whole), whole, f"恰好 {BUFSIZE} 字节的数据报应完整地发回",
                     f"A datagram of exactly {BUFSIZE} bytes must come back whole", sent=shown(whole),
                     hint_zh=f"recvfrom 的缓冲区至少要 {BUFSIZE} 字节。", hint_en=f"recvfrom needs a buffer of at least {BUFSIZE} bytes.")
        expect_reply(srv, exchange(srv, too_big, big), big[:BUFSIZE], f"3000 字节的数据报只能读到前 {BUFSIZE} 字节，应回复这 {BUFSIZE} 字节",
                     f"Of a 3000-byte datagram only the first {BUFSIZE} bytes can be read: reply with those {BUFSIZE} bytes",
                     sent=shown(big), hint_zh=f"每次最多读 {BUFSIZE} 字节（多读 1 字节可以判断是否被截断，但只回复前 {BUFSIZE} 字节）。",
                     hint_en=f"Read at most {BUFSIZE} bytes (reading one more tells whether it was cut, but answer the first "
                             f"{BUFSIZE} only).")
        line = f"数据报被截断: {too_big.getsockname()}"
        wait_output(srv, lambda out: line in out.splitlines(), "数据报被截断时，服务器应打印一行“数据报被截断: <发送方地址>”。",
                    "When a datagram was cut, the server must print the line 数据报被截断: <sender's address>.", sent=shown(big),
                    expected=line, hint_zh=f"UDP 不会保留多出的部分，recvfrom({BUFSIZE}) 也不报错：用 recvfrom({BUFSIZE} + 1) 读，"
                    f"长度超过 {BUFSIZE} 就是被截断了。",
                    hint_en=f"UDP keeps no rest and recvfrom({BUFSIZE}) raises nothing: read with recvfrom({BUFSIZE} + 1); "
                            f"longer than {BUFSIZE} means it was cut.")
        wrong = f"数据报被截断: {fits.getsockname()}"
        check(wrong not in srv.stdout.text().splitlines(), f"恰好 {BUFSIZE} 字节的数据报没有被截断，不应打印截断消息。",
              f"A datagram of exactly {BUFSIZE} bytes was not cut: no truncation line may be printed for it.", sent=shown(whole),
              got=wrong, hint_zh=f"长度大于 {BUFSIZE} 才算截断，等于不算。", hint_en=f"Only longer than {BUFSIZE} is cut; equal is not.")
        expect_reply(srv, exchange(srv, too_big, b"next"), b"next", "截断之后，下一个数据报应照常回复（UDP 不会留下“剩下的部分”）",
                     "After a cut datagram the next one must be answered as usual (UDP leaves no \"rest\" to read)",
                     sent="b'next'")
        # A last cut datagram, from a third address: once its line is out, every line printed before it is too
        # (one stdout, in order), so the truncation lines can be counted, not merely looked for.
        last_line = f"数据报被截断: {last.getsockname()}"
        expect_reply(srv, exchange(srv, last, big), big[:BUFSIZE], f"3000 字节的数据报只能读到前 {BUFSIZE} 字节，应回复这 {BUFSIZE} 字节",
                     f"Of a 3000-byte datagram only the first {BUFSIZE} bytes can be read: reply with those {BUFSIZE} bytes",
                     sent=f"{shown(big)} from {last.getsockname()}")
        wait_output(srv, lambda out: last_line in out.splitlines(), "数据报被截断时，服务器应打印一行“数据报被截断: <发送方地址>”。",
                    "When a datagram was cut, the server must print the line 数据报被截断: <sender's address>.", sent=shown(big),
                    expected=last_line)
        cut_lines = [one for one in srv.stdout.text().splitlines() if one.startswith("数据报被截断")]
        check(cut_lines == [line, last_line], f"只有超过 {BUFSIZE} 字节的数据报才打印截断消息：这里只有 2 个被截断。",
              f"Only a datagram over {BUFSIZE} bytes gets a truncation line: here only 2 were cut.",
              sent=f"{shown(whole)}；{shown(big)}；b'next'；{shown(big)}", expected="\n".join([line, last_line]),
              got="\n".join(cut_lines) or "-", hint_zh=f"只在 len(data) > {BUFSIZE} 时打印。",
              hint_en=f"Print it only when len(data) > {BUFSIZE}.")


def test_timestamp_server_stamps(learner):
    with server(learner, timestamp=True) as srv, udp_socket() as sock:
        for text in ["hello", "你好，UDP！"]:
            data = text.encode()
            check_stamped(srv, exchange(srv, sock, data), data, sent=shown(data),
                          hint_zh="reply = f\"[{time.ctime()}] \".encode() + data，发回给 addr。",
                          hint_en="reply = f\"[{time.ctime()}] \".encode() + data, sent back to addr.")


def test_timestamp_server_keeps_bytes(learner):
    cases = {"GBK 文本 / GBK text": "你好，飞秋！".encode("gbk"), "空数据报 / empty datagram": b""}
    with server(learner, timestamp=True) as srv, udp_socket() as sock:
        for label, data in cases.items():
            check_stamped(srv, exchange(srv, sock, data), data, sent=f"{label}: {shown(data)}", **BYTES_HINT)


# -- the client -------------------------------------------------------------------------------
def call_ask(learner, address, text: str, *, encoding: str = "utf-8", timeout: float = 2.0) -> dict:
    """ask(host, port, text, encoding=, timeout=) in the sandbox, given timeout + 2 s:
    {"done", "value", "error", "stack", "open_sockets", "unclosed"}."""
    limit = timeout + 2.0
    return learner.call("ask", *address, text, encoding, timeout, limit, timeout=limit + 3.0)


def what(address, text: str, **kw) -> str:
    extra = "".join(f", {k}={v!r}" for k, v in kw.items())
    return f"ask({address[0]!r}, {address[1]}, {text!r}{extra})"


def returned(record: dict, call: str, limit: float):
    """The value the call returned; a call still blocked or one that raised fails the check."""
    if not record["done"]:
        fail(f"{call} 在 {limit:g} 秒后还没有返回。", f"{call} had not returned after {limit:g} s.",
             details="卡住的位置 / where it was stuck:\n" + (record.get("stack") or "?"),
             hint_zh="recvfrom 之前 settimeout(timeout)。", hint_en="settimeout(timeout) before recvfrom.")
    if record["error"]:
        raised(record["error"], call)
    return record["value"]


def answering(reply):
    """A Responder's answer: ``reply(data)`` sent back to the datagram's sender."""
    def answer(datagram: Datagram, sock):
        sock.sendto(reply(datagram.data), datagram.sender)
    return answer


def expect_request(peer, expected: bytes, call: str, zh: str, en: str, **kw):
    got = peer.wait_received(1, 0)
    if not got:
        fail("测试的服务器没有收到任何数据报。", "The test's server received no datagram.", sent=call, expected=shown(expected), **kw)
    check(got[0].data == expected, zh, en, sent=call, expected=shown(expected), got=shown(got[0].data),
          details=first_difference(got[0].data, expected), **kw)
    check(len(got) == 1, "每次调用只应发送一个数据报。", "One call must send exactly one datagram.", sent=call,
          expected="1", got=f"{len(got)}: " + ", ".join(shown(d.data) for d in got))


def test_client_returns_reply(learner):
    text = "你好，服务器！"
    with Responder(answering(lambda data: "收到: ".encode() + data)) as peer:
        call = what(peer.address, text)
        got = returned(call_ask(learner, peer.address, text), call, 4)
        expect_request(peer, text.encode(), call, "客户端发出的数据报应是 text 的 UTF-8 编码。",
                       "The client's datagram must be text encoded in UTF-8.")
    check(got == "收到: " + text, "ask 应返回服务器的回复（解码后的字符串）。", "ask must return the server's reply, decoded (a str).",
          sent=call, expected=repr("收到: " + text), got=repr(got))


def test_client_uses_encoding(learner):
    text = "你好，飞秋！"
    with Responder(answering(lambda data: "收到".encode("gbk") + data)) as peer:
        call = what(peer.address, text, encoding="gbk")
        got = returned(call_ask(learner, peer.address, text, encoding="gbk"), call, 4)
        expect_request(peer, text.encode("gbk"), call, "encoding=\"gbk\" 时，数据报应是 text 的 GBK 编码。",
                       "With encoding=\"gbk\" the datagram must be text encoded in GBK.",
                       hint_zh="text.encode(encoding)。", hint_en="text.encode(encoding).")
    check(got == "收到" + text, "encoding=\"gbk\" 时，应按 GBK 解码回复。", "With encoding=\"gbk\" the reply must be decoded as GBK.",
          sent=call, expected=repr("收到" + text), got=repr(got), hint_zh="data.decode(encoding)。", hint_en="data.decode(encoding).")


def test_client_sends_empty_datagram(learner):
    with Responder(answering(lambda data: b"")) as peer:
        call = what(peer.address, "")
        got = returned(call_ask(learner, peer.address, ""), call, 4)
        expect_request(peer, b"", call, "text 为空时应发送一个空数据报（0 字节）。", "An empty text must be sent as an empty datagram (0 bytes).")
    check(got == "", "回复是空数据报时，ask 应返回 \"\"。", "When the reply is an empty datagram, ask must return \"\".", sent=call,
          expected="''", got=repr(got), hint_zh="UDP 的空数据报是一条正常的回复，不是“连接关闭”。",
          hint_en="An empty UDP datagram is a normal reply, not a closed connection.")


def test_client_refuses_truncated_reply(learner):
    with Responder(answering(lambda data: b"x" * int(data))) as peer:  # the request says how long the reply is
        call = what(peer.address, str(BUFSIZE))
        got = returned(call_ask(learner, peer.address, str(BUFSIZE)), call, 4)
        check(got == "x" * BUFSIZE, f"恰好 {BUFSIZE} 字节的回复应完整返回。", f"A reply of exactly {BUFSIZE} bytes must be returned whole.",
              sent=call, expected=f"'x' * {BUFSIZE}", got=f"{len(got)} chars" if isinstance(got, str) else repr(got),
              hint_zh=f"recvfrom 的缓冲区至少 {BUFSIZE} 字节。", hint_en=f"recvfrom needs a buffer of at least {BUFSIZE} bytes.")
        call = what(peer.address, "3000")
        record = call_ask(learner, peer.address, "3000")
    hint = dict(hint_zh=f"recvfrom({BUFSIZE} + 1)：收到的超过 {BUFSIZE} 字节，就说明回复被截断了，raise ValueError。",
                hint_en=f"recvfrom({BUFSIZE} + 1): more than {BUFSIZE} bytes received means the reply was cut: raise ValueError.")
    if not record["done"] or (record["error"] and record["error"]["type"] != "ValueError"):
        returned(record, call, 4)
    if not record["error"]:
        value = record["value"]
        fail(f"回复有 3000 字节，超过 {BUFSIZE} 字节，ask 应抛出 ValueError，而不是返回（被截断的）结果。",
             f"The reply had 3000 bytes, more than {BUFSIZE}: ask must raise ValueError, not return a (cut) result.", sent=call,
             expected="ValueError", got=f"返回了 / returned {len(value)} chars" if isinstance(value, str) else repr(value), **hint)


def test_client_times_out(learner):
    timeout = 0.5
    with Silent(limit=timeout + 5) as silent:  # bound, so nothing answers "port unreachable": it just never replies
        call = what(silent.address, "有人吗？", timeout=timeout)
        record = call_ask(learner, silent.address, "有人吗？", timeout=timeout)
    if not record["done"]:
        fail(f"服务器一直不回复时，{call} 在 {timeout + 2:g} 秒后还没有返回（卡住了）。",
             f"With a server that never replies, {call} had not returned after {timeout + 2:g} s (it hangs).",
             details="卡住的位置 / where it was stuck:\n" + (record.get("stack") or "?"),
             hint_zh="recvfrom 之前 sock.settimeout(timeout)。", hint_en="sock.settimeout(timeout) before recvfrom.")
    error = record["error"]
    if silent.arrived is None:
        if error:
            raised(error, call)  # before it even sent anything
        fail("客户端没有向服务器发送数据报。", "The client sent no datagram to the server.", sent=call)
    port = str(silent.address[1])
    if error is None or error["type"] != "TimeoutError" or port not in error["message"]:
        fail(f"服务器一直不回复时，ask 应在 {timeout:g} 秒后抛出 TimeoutError，消息里写明服务器的地址和端口。",
             f"With a server that never replies, ask must raise TimeoutError after {timeout:g} s, its message naming the "
             "server's address and port.", sent=call, expected=f"TimeoutError('… 127.0.0.1:{port} …')",
             got=(f"{error['type']}: {error['message']}" if error else f"返回了 / returned {record['value']!r}"),
             hint_zh="捕获 socket.timeout，raise TimeoutError(f\"{host}:{port} 在 {timeout} 秒内没有回复\")。",
             hint_en="Catch socket.timeout and raise TimeoutError(f\"no reply from {host}:{port} within {timeout} s\").")
    # Seen from the test's side: from its request arriving to its socket leaving the kernel's table.
    waited = silent.waited
    check(waited is not None and timeout * 0.9 <= waited <= timeout + 1.5,
          f"超时应在约 {timeout:g} 秒后发生：客户端从发出请求到关闭套接字用了 "
          f"{'?' if waited is None else f'{waited:.2f}'} 秒。",
          f"The timeout must come after about {timeout:g} s: from its request to closing its socket the client took "
          f"{'?' if waited is None else f'{waited:.2f}'} s.", sent=call,
          hint_zh="用参数 timeout，不要写死。", hint_en="Use the timeout parameter; do not hard-code one.")


def test_client_waits_its_timeout(learner):
    delay, timeout = 1.5, 4.0

    def late(datagram: Datagram, sock):
        threading.Event().wait(delay)  # stretches time on purpose: the reply comes late, but within the timeout
        sock.sendto(b"late but here", datagram.sender)

    with Responder(late) as peer:
        call = what(peer.address, "慢慢来", timeout=timeout)
        record = call_ask(learner, peer.address, "慢慢来", timeout=timeout)
    if record["done"] and record["error"] and record["error"]["type"] == "TimeoutError":
        fail(f"回复在 {delay:g} 秒后才发出，在 timeout={timeout:g} 秒之内，ask 却先超时了。",
             f"The reply was sent after {delay:g} s, within timeout={timeout:g} s, yet ask timed out before it.",
             sent=call, expected="'late but here'", got=f"{record['error']['type']}: {record['error']['message']}",
             hint_zh="sock.settimeout(timeout)：用调用者给的 timeout，不要写死一个更短的。",
             hint_en="sock.settimeout(timeout): use the caller's timeout, not a shorter hard-coded one.")
    got = returned(record, call, timeout + 2)
    check(got == "late but here", "ask 应返回迟到（但在超时之内）的回复。", "ask must return a reply that came late (but within the timeout).",
          sent=call, expected="'late but here'", got=repr(got))


def bound_socket(host: str) -> socket.socket:
    """A trusted UDP socket bound to ``host`` (in 127.0.0.0/8) on a port the OS picks."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((host, 0))
    return sock


def test_client_ignores_strangers(learner):
    # The test's server is on 127.0.0.2; one stranger on 127.0.0.1 and one on 127.0.0.3: an
    # address below the server's and one above it, so no comparison but "is it the server's
    # address" lets both through and the reply too.
    with ExitStack() as stack:
        strangers = [stack.enter_context(bound_socket(h)) for h in ("127.0.0.3", "127.0.0.1")]
        where = "、".join(str(s.getsockname()) for s in strangers)

        def answer(datagram: Datagram, sock):
            same_core()  # the strangers' datagrams reach the client before the reply, every run
            for one in strangers:
                one.sendto(f"我是陌生人 {one.getsockname()} / a stranger".encode(), datagram.sender)
            sock.sendto(b"the real reply", datagram.sender)

        peer = stack.enter_context(Responder(answer, sock=bound_socket(SERVER_HOST)))
        call = what(peer.address, "你是谁？")
        got = returned(call_ask(learner, peer.address, "你是谁？"), call, 4)
    check(got == "the real reply", f"回复之前，另外两个地址 {where} 先给客户端各发了一个数据报；ask 应只接受服务器 "
          f"{peer.address} 发来的回复。",
          f"Before the reply, two other addresses ({where}) each sent the client a datagram; ask must take only the "
          f"reply from the server {peer.address}.", sent=call, expected="'the real reply'", got=repr(got),
          hint_zh="UDP 谁都可以给你发数据报：data, addr = recvfrom(...)，addr != (host, port) 就丢掉继续等（或先 connect((host, port))）。",
          hint_en="Anyone may send you a UDP datagram: data, addr = recvfrom(...); if addr != (host, port), drop it "
                  "and keep waiting (or connect((host, port)) first).")


def test_client_stranger_at_deadline(learner):
    timeout = 1.5
    text = "有人吗？"
    hint = dict(hint_zh="截止时间只算一次：deadline = time.monotonic() + timeout；每次 recvfrom 之前算剩余时间 left = deadline - "
                        "time.monotonic()，left <= 0 就抛出 TimeoutError，否则 settimeout(left)（settimeout 不接受负数）。",
                hint_en="Fix the deadline once: deadline = time.monotonic() + timeout; before every recvfrom take left = deadline - "
                        "time.monotonic(), raise TimeoutError when left <= 0, else settimeout(left) (settimeout refuses a "
                        "negative number).")
    with Silent(limit=timeout + 10) as silent, udp_socket() as stranger:
        call = what(silent.address, text, timeout=timeout)
        stranger_address = stranger.getsockname()
        limit = timeout + 2.0
        with learner.program("ask", *silent.address, text, "utf-8", timeout, limit) as prog:
            end = time.monotonic() + prog.timeout
            while silent.arrived is None and time.monotonic() < end:
                time.sleep(0.002)  # polling for the request to arrive, not waiting for time to pass
            record = None
            if silent.arrived is not None:
                # The client waits for the reply; stopped (SIGSTOP) there, a stranger's datagram
                # reaches its socket and its deadline passes; woken, it finds that datagram waiting
                # and no time left: every run, whatever the load.
                wait_until_waiting_for_datagram(prog, prog.timeout)
                with paused(prog):
                    stranger.sendto("我是陌生人 / a stranger".encode(), silent.sender)
                    late = silent.arrived + timeout + 0.3
                    time.sleep(max(0.0, late - time.monotonic()))  # the client's deadline passes while it is stopped
                resumed = time.monotonic()
            record = prog.result(limit + 3.0)
    sent = (f"{call}；服务器不回复；客户端等待时，另一个地址 {stranger_address} 发来一个数据报，恰在截止时间到了之后才被读到 / "
            f"the server never replies; while the client waits, another address sends it a datagram, read only once the "
            f"deadline has passed")
    if not record["done"]:
        fail(f"{call} 在 {limit:g} 秒后还没有返回。", f"{call} had not returned after {limit:g} s.", sent=sent,
             details="卡住的位置 / where it was stuck:\n" + (record.get("stack") or "?"), **hint)
    error = record["error"]
    if silent.arrived is None:
        if error:
            raised(error, call)
        fail("客户端没有向服务器发送数据报。", "The client sent no datagram to the server.", sent=call)
    port = str(silent.address[1])
    if error is None or error["type"] != "TimeoutError" or port not in error["message"]:
        fail("截止时间已过，读到的又只是陌生人的数据报：ask 应丢掉它并抛出 TimeoutError（消息写明服务器的地址和端口）。",
             "The deadline had passed and what was read was only a stranger's datagram: ask must drop it and raise "
             "TimeoutError (its message naming the server's address and port).", sent=sent,
             expected=f"TimeoutError('… 127.0.0.1:{port} …')",
             got=(f"{error['type']}: {error['message']}" if error else f"返回了 / returned {record['value']!r}"), **hint)
    after = None if silent.gone is None else silent.gone - resumed
    shown_after = "?" if after is None else f"{after:.2f}"
    check(after is not None and after <= 0.75,
          f"读到陌生人的数据报时 timeout={timeout:g} 秒已经用完，ask 应立刻抛出 TimeoutError；它却又等了 {shown_after} 秒（每收到一个数据报就重新开始计时？）。",
          f"When the stranger's datagram was read, the timeout={timeout:g} s was used up: ask must raise TimeoutError at "
          f"once; it waited {shown_after} s more (does every datagram start the timeout again?).", sent=sent,
          expected="< 0.75 秒 / s", got=f"{shown_after} 秒 / s", **hint)


def test_client_default_timeout(learner):
    default = 2.0
    with Silent(limit=default + 8) as silent:
        call = f"ask({silent.address[0]!r}, {silent.address[1]}, '有人吗？')"
        record = learner.call("ask_default", *silent.address, "有人吗？", default + 2.0, timeout=default + 5.0)
    hint = dict(hint_zh="def ask(host, port, text, encoding=\"utf-8\", timeout=2.0)：不传 timeout 时就等 2 秒。",
                hint_en="def ask(host, port, text, encoding=\"utf-8\", timeout=2.0): without a timeout argument it waits 2 s.")
    if not record["done"]:
        fail(f"不传 timeout、服务器一直不回复时，{call} 在 {default + 2:g} 秒后还没有返回；默认的 timeout 应是 {default:g} 秒。",
             f"Without a timeout argument and with a server that never replies, {call} had not returned after "
             f"{default + 2:g} s; the default timeout is {default:g} s.",
             details="卡住的位置 / where it was stuck:\n" + (record.get("stack") or "?"), **hint)
    error = record["error"]
    if silent.arrived is None:
        if error:
            raised(error, call)
        fail("客户端没有向服务器发送数据报。", "The client sent no datagram to the server.", sent=call)
    if error is None or error["type"] != "TimeoutError":
        fail("服务器一直不回复时，ask 应抛出 TimeoutError。", "With a server that never replies, ask must raise TimeoutError.",
             sent=call, expected="TimeoutError", got=(f"{error['type']}: {error['message']}" if error
                                                      else f"返回了 / returned {record['value']!r}"), **hint)
    waited = silent.waited
    shown_wait = "?" if waited is None else f"{waited:.2f}"
    check(waited is not None and default * 0.9 <= waited <= default + 0.7,
          f"不传 timeout 时应等默认的 {default:g} 秒：客户端从发出请求到关闭套接字用了 {shown_wait} 秒。",
          f"Without a timeout argument it must wait the default {default:g} s: from its request to closing its socket the "
          f"client took {shown_wait} s.", sent=call, expected=f"{default:g} 秒 / s", got=f"{shown_wait} 秒 / s", **hint)


def test_client_calls_at_once(learner):
    texts = [f"调用 {i + 1} / call {i + 1}" for i in range(4)]

    def answer(datagram: Datagram, sock):
        if len(peer.received) == len(texts):  # all four are waiting: answer the last one first
            for one in reversed(peer.received):
                sock.sendto("回复: ".encode() + one.data, one.sender)

    with Responder(answer) as peer:
        call = f"ask(...) × {len(texts)}，同时在 {len(texts)} 个线程里调用 / at once in {len(texts)} threads"
        records = learner.call("ask_at_once", *peer.address, texts, 3.0, 6.0, timeout=10.0)
        arrived = peer.wait_received(len(texts), 0)
    for i, record in enumerate(records):
        if record["error"] and record["error"]["type"] != "TimeoutError":
            raised(record["error"], f"ask({texts[i]!r})（同时调用的第 {i + 1} 个 / call {i + 1} of {len(texts)} at once）")
    senders = {tuple(d.sender) for d in arrived}
    check(len(arrived) == len(texts) and len(senders) == len(texts),
          f"同时调用 {len(texts)} 次，测试的服务器应收到来自 {len(texts)} 个不同地址的 {len(texts)} 个数据报。",
          f"Called {len(texts)} times at once, the test's server must receive {len(texts)} datagrams from {len(texts)} "
          "different addresses.", sent=call, expected=f"{len(texts)} 个数据报，{len(texts)} 个发送地址 / datagrams, senders",
          got=f"{len(arrived)} 个数据报，发送地址 / datagrams, senders: {sorted(senders)}",
          hint_zh="每次调用创建自己的套接字（不要共用一个全局套接字，也不要 bind 固定端口）：回复按地址送回，共用地址的调用会拿错回复。",
          hint_en="Make a socket per call (no shared global socket, no bind to a fixed port): replies go back by address, "
                  "so calls sharing one get each other's replies.")
    for i, record in enumerate(records):
        call_i = f"ask({texts[i]!r})（同时调用的第 {i + 1} 个 / call {i + 1} of {len(texts)} at once）"
        got = returned(record, call_i, 6)
        check(got == "回复: " + texts[i], f"同时调用时，第 {i + 1} 个调用拿到的不是它自己的回复（回复是倒序发出的）。",
              f"With calls at once, call {i + 1} did not get its own reply (the replies were sent in reverse order).",
              sent=call_i, expected=repr("回复: " + texts[i]), got=repr(got))


def test_client_closes_socket(learner):
    with Responder(answering(lambda data: data)) as peer:
        answered = call_ask(learner, peer.address, "hello")
    returned(answered, what(peer.address, "hello"), 4)
    with udp_socket() as silent:
        timed_out = call_ask(learner, silent.getsockname(), "有人吗？", timeout=0.3)
    cases = {"得到回复之后 / after a reply": answered, "超时之后 / after a timeout": timed_out}
    for label, record in cases.items():
        zh, en = label.split(" / ")
        check(record["done"], f"{zh}：ask 没有返回。", f"{en}: ask did not return.", details=record.get("stack"))
        left = record["open_sockets"]
        check(left == 0, f"{zh}，ask 返回时还有 {left} 个套接字没有关闭。", f"{en}, {left} sockets were still open when ask returned.",
              expected=0, got=left, hint_zh="用 with socket.socket(...) as sock:，哪条路径离开都会关闭。",
              hint_en="Use with socket.socket(...) as sock: it is closed whichever way the call ends.")
        check(not record["unclosed"], f"{zh}，ask 没有关闭它的套接字，是垃圾回收替它关的。",
              f"{en}, ask did not close its socket: the garbage collector closed it.", got="; ".join(record["unclosed"]),
              hint_zh="用 with socket.socket(...) as sock:（或 try/finally: sock.close()），超时抛出异常时也要关闭。",
              hint_en="Use with socket.socket(...) as sock: (or try/finally: sock.close()), so it is closed when the "
                      "timeout raises too.")
