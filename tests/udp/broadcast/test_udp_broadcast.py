"""udp/broadcast: send with SO_BROADCAST, receive with SO_REUSEADDR (set before bind), text in GBK.

Nothing here leaves loopback.  Broadcasts go to 127.255.255.255, the broadcast address of lo,
and every socket of the test that receives them is bound to that address (a socket bound to
127.0.0.1 does not get broadcasts).  Only the check of the notes' own address '<broadcast>'
(255.255.255.255) binds to '' — and it runs only inside this grading run's own network
namespace, which holds nothing but lo, after giving lo a route for 255.255.255.255; where the
run has no such namespace (the grader runs without root) that check is skipped, with the reason.
"""
from __future__ import annotations

import os
import select
import shutil
import socket
import subprocess
import time
from contextlib import ExitStack
from dataclasses import dataclass

import pytest

from grader.feedback import LearnerCrashed, check, fail
from grader.sandbox.namespaces import private_network
from kit.calls import raised

LOOPBACK_BROADCAST = "127.255.255.255"
SENDER_HOST = "127.0.0.1"
SHOWN_LINE = 2000  # a printed line longer than this is checked by its first 2000 characters
BROADCAST_HINT = dict(
    hint_zh="发送广播之前必须 sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)，否则 sendto 抛出 PermissionError。",
    hint_en="Before broadcasting, sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1); without it sendto raises "
            "PermissionError.",
)
ADDRESS_HINT = dict(
    hint_zh="发到参数给出的地址 (address, port)：评分时是 127.255.255.255，不要写死 '<broadcast>' 或 192.168.x.255。",
    hint_en="Send to the address given as a parameter, (address, port): 127.255.255.255 when graded; do not hard-code "
            "'<broadcast>' or 192.168.x.255.",
)
REUSE_HINT = dict(
    hint_zh="在 bind 之前 setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)：笔记里写在 bind 之后，那时已经晚了。",
    hint_en="setsockopt(SOL_SOCKET, SO_REUSEADDR, 1) before bind: the notes set it after bind, when it is too late.",
)


# -- showing datagrams ------------------------------------------------------------------------
def shown(data: bytes) -> str:
    text = data.decode("gbk", "replace")
    return (text if len(text) <= 60 else f"{text[:50]}…") + f" ({len(data)} 字节 / bytes)"


def shown_text(text) -> str:
    if not isinstance(text, str):
        return repr(text)[:80]
    return repr(text) if len(text) <= 40 else f"{text[:30]!r}… ({len(text)} 个字符 / chars)"


def shown_all(items: list[bytes]) -> str:
    return "[" + ", ".join(shown(d) for d in items) + "]" if items else "(什么也没收到 / nothing)"


# -- the test's own broadcast sockets -----------------------------------------------------------
class Listener:
    """A socket of the test that receives broadcasts to ``host`` (never 0.0.0.0 outside a private namespace)."""

    def __init__(self, host: str = LOOPBACK_BROADCAST):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((host, 0))
        self.port = self.sock.getsockname()[1]

    def take(self, count: int, timeout: float) -> list[bytes]:
        """Up to ``count`` datagrams, all within ``timeout`` (fewer if no more come)."""
        got, end = [], time.monotonic() + timeout
        while len(got) < count:
            ready, _, _ = select.select([self.sock], [], [], max(0.0, end - time.monotonic()))
            if not ready:
                break
            got.append(self.sock.recv(65535))
        return got

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.sock.close()
        return False


def broadcaster() -> socket.socket:
    """A socket of the test allowed to broadcast, on 127.0.0.1 and a port the OS picks."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    sock.bind((SENDER_HOST, 0))
    return sock


# -- the learner's sender ----------------------------------------------------------------------
@dataclass(frozen=True)
class Sent:
    """What one send_broadcast call did, as the probe and the test's listener saw it."""

    call: str
    value: object
    error: dict | None
    udp_sockets: int
    arrived: list


def send(learner, listener: Listener, message: str, times: int | None, address: str | None = LOOPBACK_BROADCAST) -> Sent:
    """send_broadcast(message, listener's port, address, times); None leaves that argument to its default."""
    record = learner.call("send", message, listener.port, address, times)
    args = [f"{message[:30]!r}{'…' if len(message) > 30 else ''}", str(listener.port)]
    args += [repr(address)] if address is not None else []
    args += [f"times={times}"] if times is not None else []
    call = f"send_broadcast({', '.join(args)})"
    expected = 3 if times is None else times
    arrived = listener.take(expected, learner.exercise.timeout) if record["error"] is None else []
    return Sent(call, record["value"], record["error"], record["udp_sockets"], arrived)


def sent_ok(sent: Sent, message: str, times: int):
    if sent.error is not None:
        raised(sent.error, sent.call, **(BROADCAST_HINT if sent.error.get("permission") else ADDRESS_HINT))
    want = [message.encode("gbk")] * times
    check(sent.arrived == want, f"广播的数据报不对：应收到 {times} 个，每个都是 GBK 编码的消息。",
          f"The broadcast datagrams are wrong: {times} were expected, each the message in GBK.", sent=sent.call,
          expected=shown_all(want), got=shown_all(sent.arrived),
          hint_zh="data = message.encode(\"gbk\")；sendto(data, (address, port)) 发 times 次；地址用参数 address，不要写死。",
          hint_en="data = message.encode(\"gbk\"); sendto(data, (address, port)) times times; use the address parameter, "
                  "do not hard-code one.")
    check(type(sent.value) is int and sent.value == times, "send_broadcast 应返回发送的数据报个数。",
          "send_broadcast must return the number of datagrams sent.", sent=sent.call, expected=times, got=sent.value)


def test_sender_reaches_loopback_broadcast(learner):
    message = "你好，广播 / hello, everyone"
    with Listener() as listener:
        sent = send(learner, listener, message, 3)
    sent_ok(sent, message, 3)


def test_sender_sends_every_copy(learner):
    long = "广播消息 broadcast " * 900  # 17100 bytes in GBK: one datagram, far above 1024
    with Listener() as listener:
        sent = send(learner, listener, long, 5)
    sent_ok(sent, long, 5)
    with Listener() as listener:
        sent = send(learner, listener, "", 1)  # an empty datagram is a datagram too
    sent_ok(sent, "", 1)


def test_sender_closes_socket(learner):
    with Listener() as listener:
        sent = send(learner, listener, "bye", 2)
    sent_ok(sent, "bye", 2)
    check(sent.udp_sockets == 0, f"send_broadcast 返回后还有 {sent.udp_sockets} 个 UDP 套接字开着。",
          f"After send_broadcast returned, {sent.udp_sockets} UDP socket(s) were still open.", sent=sent.call,
          expected=0, got=sent.udp_sockets,
          hint_zh="每次调用新建套接字，用 with socket.socket(...) as sock: 或 sock.close() 关闭；不要用模块级的套接字。",
          hint_en="Make a socket in every call and close it (with socket.socket(...) as sock:, or sock.close()); no "
                  "module-level socket.")


def lo_only_namespace_with_broadcast_route() -> str | None:
    """None once this run's own namespace (only lo) has a route for 255.255.255.255 on lo;
    otherwise why the check cannot run here."""
    if not private_network():
        return "这次评分没有自己的网络命名空间（评分程序没有以 root 运行） / this grading run has no network " \
               "namespace of its own (the grader does not run as root)"
    interfaces = sorted(name for _, name in socket.if_nameindex())
    if interfaces != ["lo"]:
        return f"网络命名空间里除了 lo 还有 {interfaces} / the network namespace holds more than lo: {interfaces}"
    ip = shutil.which("ip") or next((p for p in ("/usr/sbin/ip", "/sbin/ip") if os.access(p, os.X_OK)), None)
    if ip is None:
        return "没有 ip 命令（iproute2），无法给 lo 加广播路由 / no ip command (iproute2) to give lo a broadcast route"
    run = subprocess.run([ip, "route", "replace", "broadcast", "255.255.255.255", "dev", "lo", "table", "local",
                          "src", SENDER_HOST], capture_output=True, text=True, timeout=10)
    if run.returncode != 0:
        return f"无法给 lo 加广播路由 / could not give lo a broadcast route: {run.stderr.strip()[:200]}"
    return None


def test_sender_broadcast_address_in_private_network(learner):
    why_not = lo_only_namespace_with_broadcast_route()
    if why_not:
        pytest.skip(f"需要只有 lo 的私有网络命名空间，跳过 / needs a private network namespace with only lo, skipped: {why_not}")
    message = "<broadcast> 你好"
    with Listener("") as listener:  # '' only here: inside a namespace holding nothing but lo
        sent = send(learner, listener, message, None, address=None)  # both defaults: '<broadcast>', 3 times
    sent_ok(sent, message, 3)


# -- the learner's receivers ---------------------------------------------------------------------
@dataclass(frozen=True)
class Received:
    """One datagram as receive_broadcasts returned it."""

    text: object
    sender: object


def returned(value) -> list[Received] | None:
    """receive_broadcasts' list of (text, (ip, port)) as records; None if it is not such a list."""
    if not isinstance(value, (list, tuple)):
        return None
    out = []
    for item in value:
        if not (isinstance(item, (list, tuple)) and len(item) == 2):
            return None
        out.append(Received(item[0], tuple(item[1]) if isinstance(item[1], (list, tuple)) else item[1]))
    return out


def start_receiver(learner, stack, port: int, count: int):
    what = f"receive_broadcasts({port}, {count}, {LOOPBACK_BROADCAST!r})"
    try:
        return stack.enter_context(learner.server("receive", port, count, LOOPBACK_BROADCAST, kind="udp")), what
    except LearnerCrashed as exc:
        fail(f"{what} 没能开始接收。", f"{what} could not start receiving.", details=exc.render(), **REUSE_HINT)


def received_ok(srv, what: str, texts: list[str], sender: tuple, hint: dict | None = None):
    """The receiver returned every text with its sender, in order, and printed a line for each."""
    record = srv.result()
    if record["error"] is not None:
        raised(record["error"], what, **(hint or {}))
    got = returned(record["value"])
    sent = f"{what}; " + shown_all([t.encode("gbk") for t in texts]) + f" from {sender}"
    zh, en = ("receive_broadcasts 返回的列表不对：每个数据报一项 (GBK 解码后的文本, (发送方 ip, 端口))。",
              "receive_broadcasts returned the wrong list: one (text decoded from GBK, (sender ip, port)) per datagram.")
    check(got is not None and len(got) == len(texts), zh, en, sent=sent, expected=f"{len(texts)} 项 / items",
          got=f"{len(got)} 项 / items: {got}" if got is not None else record["value"], **(hint or {}))
    for i, (item, text) in enumerate(zip(got, texts, strict=True)):
        check(item == Received(text, sender), zh, en, sent=sent,
              expected=f"第 {i + 1} 项 / item {i + 1}: ({shown_text(text)}, {sender})",
              got=f"第 {i + 1} 项 / item {i + 1}: ({shown_text(item.text)}, {item.sender})", **(hint or {}))
    out = srv.stdout.text().splitlines()  # (the harness keeps the first 64 KiB: a long line is checked by its start)
    lines = [f"<{sender}>: {t}" for t in texts]
    missing = [line for line in lines if not any(o == line or (len(line) > SHOWN_LINE and o.startswith(line[:SHOWN_LINE]))
                                                 for o in out)]
    check(not missing, "receive_broadcasts 应为每个数据报打印一行 <(ip, 端口)>: 文本。",
          "receive_broadcasts must print one line <(ip, port)>: text per datagram.", sent=what,
          expected=missing[0][:200] if missing else None, got="\n".join(out)[-400:] or "(没有输出 / no output)",
          hint_zh="print(\"<%s>: %s\" % (addr, text))", hint_en="print(\"<%s>: %s\" % (addr, text))")
    return record


def test_receiver_prints_and_returns_gbk(learner):
    texts = ["你好", "广播来了 / here comes a broadcast", "再见"]
    with ExitStack() as stack:
        srv, what = start_receiver(learner, stack, 0, len(texts))
        sock = stack.enter_context(broadcaster())
        for text in texts:
            sock.sendto(text.encode("gbk"), (LOOPBACK_BROADCAST, srv.port))
        received_ok(srv, what, texts, sock.getsockname(),
                    dict(hint_zh="用 data.decode(\"gbk\") 解码（发送方用的是 GBK）。",
                         hint_en="Decode with data.decode(\"gbk\") (the sender uses GBK)."))


def test_receiver_takes_empty_and_large_datagrams(learner):
    big = "大数据报 large datagram " * 2700  # 64800 bytes in GBK, near the largest datagram: recvfrom(1024) would cut it
    texts = ["", "end", big]  # the big one last: its printed line fills the 64 KiB of output kept
    with ExitStack() as stack:
        srv, what = start_receiver(learner, stack, 0, len(texts))
        sock = stack.enter_context(broadcaster())
        for text in texts:
            sock.sendto(text.encode("gbk"), (LOOPBACK_BROADCAST, srv.port))
        received_ok(srv, what, texts, sock.getsockname(),
                    dict(hint_zh="recvfrom(65535)：UDP 一次收一整个数据报，缓冲区小了多出的部分就丢了；空数据报 b\"\" 也是一个数据报，"
                                 "不表示结束。",
                         hint_en="recvfrom(65535): each recvfrom takes one whole datagram, and what does not fit the buffer is "
                                 "lost; an empty datagram b\"\" is a datagram too, not an end."))


def bound_to(host: str, port: int) -> int:
    """How many UDP sockets of this network namespace are bound to (host, port), from the kernel's table."""
    want = f"{int.from_bytes(socket.inet_aton(host), 'little'):08X}:{port:04X}"
    with open("/proc/net/udp") as table:
        next(table)
        return sum(1 for line in table if line.split()[1] == want)


def both_bound(first, second, what: str):
    """Wait until the second receiver's socket is bound beside the first's (two sockets on the port).

    Readiness of ``second`` alone cannot say it: while the first receiver runs, the socket the
    harness finds may be the first's, so the kernel's table is asked how many are bound."""
    end = time.monotonic() + second.timeout
    while bound_to(LOOPBACK_BROADCAST, first.port) < 2:
        kind, payload = second.outcome()
        if kind != "timeout":
            error = payload.get("error") if kind == "ok" and isinstance(payload, dict) else None
            error = error or (payload if kind == "error" else None)
            fail(f"第一个接收方已经绑定了端口 {first.port}，第二个 {what} 没能再绑定同一个端口。",
                 f"With a first receiver bound to port {first.port}, a second {what} could not bind the same port.",
                 got=f"{error['type']}: {error['message']}" if error else f"{kind}: {payload!r}", **REUSE_HINT)
        if time.monotonic() > end:
            raise second.hang(f"第二个接收方 {what} 在 {second.timeout:g} 秒内没有绑定端口 {first.port}。",
                              f"The second receiver {what} did not bind port {first.port} within {second.timeout:g} s.")
        time.sleep(0.005)  # polling the kernel's socket table for the second socket


def test_two_receivers_share_the_port(learner):
    texts = ["两个接收者 / two receivers", "都收到 / both get it"]
    with ExitStack() as stack:
        first, what = start_receiver(learner, stack, 0, len(texts))
        second, what_second = start_receiver(learner, stack, first.port, len(texts))
        both_bound(first, second, what_second)
        sock = stack.enter_context(broadcaster())
        for text in texts:
            sock.sendto(text.encode("gbk"), (LOOPBACK_BROADCAST, first.port))
        for srv, call in ((first, what), (second, what_second)):
            received_ok(srv, call, texts, sock.getsockname(), REUSE_HINT)


def test_receiver_closes_socket(learner):
    with ExitStack() as stack:
        srv, what = start_receiver(learner, stack, 0, 1)
        sock = stack.enter_context(broadcaster())
        sock.sendto("关门 / closing".encode("gbk"), (LOOPBACK_BROADCAST, srv.port))
        record = received_ok(srv, what, ["关门 / closing"], sock.getsockname())
    check(record["udp_sockets"] == 0, f"receive_broadcasts 返回后还有 {record['udp_sockets']} 个 UDP 套接字开着。",
          f"After receive_broadcasts returned, {record['udp_sockets']} UDP socket(s) were still open.", sent=what,
          expected=0, got=record["udp_sockets"],
          hint_zh="用 with socket.socket(...) as sock: 或在返回前 sock.close()；不要用模块级的套接字。",
          hint_en="Use with socket.socket(...) as sock:, or sock.close() before returning; no module-level socket.")
