"""udp/chat: the notes' 模拟QQ聊天 — a send loop and a receive thread on one UDP socket.

``chat(host, port)`` runs as a program: it binds (host, port) (the test gives port 0 and finds
the port the OS picked), reads the other side's IP and port from stdin (``对方的IP: `` /
``对方的Port: ``), then sends every line typed as one GBK datagram while its receive thread
prints every datagram that arrives as ``>> {addr}:{text}``.  ``exit`` or the end of input ends
it: the receive thread must be woken and ended, the socket closed, the function return.

The other side is a trusted UDP socket of the test, or a second learner chat (two peers
talking to each other, both directions at once).  Forbidden interleavings are provoked on
every run: datagrams arrive while nothing is typed (a lockstep loop waits in input()), lines
are typed while nothing arrives (a lockstep loop waits in recvfrom), and ``exit`` comes while
the receive thread is seen blocked in recvfrom.
"""
from __future__ import annotations

from contextlib import ExitStack

from grader.feedback import check, fail
from kit.lines import output_tail, wait_output
from kit.udp_peers import (
    HOST,
    first_difference,
    own_port,
    receive,
    receive_many,
    shown,
    udp_socket,
    wait_until_waiting_for_datagram,
)

THREAD_HINT = dict(
    hint_zh="一个线程专门 recvfrom 并打印；主线程专门 input() 和 sendto。只用一个循环的话，它卡在 input() 上时什么也收不到，"
            "卡在 recvfrom 上时什么也发不出去。",
    hint_en="One thread only recvfrom()s and prints; the main thread only does input() and sendto(). With a single loop, "
            "nothing is received while it waits in input(), and nothing is sent while it waits in recvfrom().",
)
STOP_HINT = dict(
    hint_zh="输入 exit 或输入结束时：设置停止标志，sock.shutdown(socket.SHUT_RDWR)（唤醒卡在 recvfrom 里的接收线程；UDP 套接字会抛出 "
            "OSError ENOTCONN，捕获即可），join 接收线程，再 close()。只 close() 不会唤醒它。",
    hint_en="On exit or end of input: set a stop flag, sock.shutdown(socket.SHUT_RDWR) (it wakes the receive thread out of "
            "recvfrom; a UDP socket raises OSError ENOTCONN, catch it), join the receive thread, then close(). close() "
            "alone does not wake it.",
)


def start(learner, stack):
    """A learner chat bound to 127.0.0.1 on a port the OS picks (``.address``), stdin open."""
    prog = stack.enter_context(learner.server("chat", HOST, 0, kind="udp", stdin="pipe"))
    own_port(prog, prog.timeout)  # its own socket, not that of another chat of the same check
    return prog


def point_at(prog, address):
    """Answer the two questions: the other side's IP, then its port."""
    prog.type_line(address[0])
    prog.type_line(str(address[1]))


def printed(sender, text: str) -> str:
    return f">> {sender}:{text}"


def shows(prog, sender, text: str, zh: str, en: str, **kw):
    """The program prints ``>> {sender}:{text}`` (a "\\r" before it is fine)."""
    line = printed(sender, text)
    wait_output(prog, lambda out: line in out, zh, en, expected=line if len(line) < 120 else line[:100] + "…", **kw)


def typed_datagrams(prog, peer, count: int, typed: list[str]):
    """``count`` datagrams the peer receives from the program, which must come from its bound address."""
    got = receive_many(peer, count, prog.timeout)
    if len(got) < count:
        fail(f"输入了 {len(typed)} 行，对方 {prog.timeout:g} 秒内只收到 {len(got)} 个数据报。",
             f"{len(typed)} lines were typed; the other side received only {len(got)} datagrams within {prog.timeout:g} s.",
             sent="键入 / typed: " + " , ".join(repr(t) for t in typed), got=", ".join(shown(d.data) for d in got) or "-",
             details=output_tail(prog), **THREAD_HINT)
    for one in got:
        check(tuple(one.sender) == tuple(prog.address), f"数据报应从 chat 绑定的地址 {prog.address} 发出，却来自 {one.sender}。",
              f"Datagrams must come from the address chat bound, {prog.address}; this one came from {one.sender}.",
              hint_zh="用绑定的那一个套接字 sendto，对方才能回复到你在接收的端口。",
              hint_en="sendto on the one socket you bound, so that replies reach the port you receive on.")
    return got


def ends(prog, how: str):
    """The program returns by itself after ``how``; the probe's record of what it left."""
    return prog.wait_exit(f"{how}之后，chat 应结束（函数返回）。", f"After {how}, chat must end (the function return).",
                          sent=how, **STOP_HINT)


def exit_while_receiving(learner, stack):
    """A chat whose receive thread is seen blocked in recvfrom when ``exit`` is typed."""
    peer = stack.enter_context(udp_socket())
    prog = start(learner, stack)
    point_at(prog, peer.getsockname())
    peer.sendto(b"one message first", prog.address)
    shows(prog, peer.getsockname(), "one message first", "chat 应打印收到的数据报。", "chat must print the datagrams it receives.",
          sent="b'one message first'", **THREAD_HINT)
    wait_until_waiting_for_datagram(prog, prog.timeout)  # the receive thread is back in recvfrom
    prog.type_line("exit")
    return prog, peer, ends(prog, "输入 exit / typing exit")


# -- checks ---------------------------------------------------------------------------------
def test_prints_while_waiting_for_input(learner):
    with ExitStack() as stack:
        peer, other = stack.enter_context(udp_socket()), stack.enter_context(udp_socket())
        prog = start(learner, stack)
        point_at(prog, peer.getsockname())
        peer.sendto(b"hello, me first", prog.address)  # nothing typed: the program waits in input()
        shows(prog, peer.getsockname(), "hello, me first", "什么也没输入、正在等待输入时，chat 没有打印对方发来的数据报。",
              "While nothing was typed and chat waited for input, it did not print the datagram the other side sent.",
              sent="b'hello, me first'（什么也没输入 / nothing typed）", **THREAD_HINT)
        other.sendto(b"and me, from elsewhere", prog.address)
        shows(prog, other.getsockname(), "and me, from elsewhere", "另一个地址发来的数据报也应打印，地址是它真正的发送方。",
              "A datagram from another address must be printed too, with its real sender's address.",
              sent=f"b'and me, from elsewhere' from {other.getsockname()}",
              hint_zh="打印 recvfrom 返回的 addr，不是输入的对方地址。", hint_en="Print the addr recvfrom returned, not the address typed in.")


def test_sends_typed_lines(learner):
    with ExitStack() as stack:
        peer = stack.enter_context(udp_socket())
        prog = start(learner, stack)
        point_at(prog, peer.getsockname())
        typed = ["hello", "", "third line", "the last one"]  # nothing comes back meanwhile
        for line in typed:
            prog.type_line(line)
        got = typed_datagrams(prog, peer, len(typed), typed)
        for i, (one, line) in enumerate(zip(got, typed, strict=True)):
            check(one.data == line.encode(), f"输入的第 {i + 1} 行应作为一个数据报按顺序发给对方（空行是一个空数据报）。",
                  f"Line {i + 1} typed must be sent to the other side, in order, as one datagram (an empty line as an "
                  "empty datagram).", sent="键入 / typed: " + " , ".join(repr(t) for t in typed), expected=shown(line.encode()),
                  got=shown(one.data), details=first_difference(one.data, line.encode()), **THREAD_HINT)


def test_two_chats_at_once(learner):
    count = 20
    with ExitStack() as stack:
        a, b = start(learner, stack), start(learner, stack)
        point_at(a, b.address)
        point_at(b, a.address)
        says = {"a": [f"甲说 {i:02d} / A says {i:02d}" for i in range(1, count + 1)],
                "b": [f"乙说 {i:02d} / B says {i:02d}" for i in range(1, count + 1)]}
        for i in range(count):  # both type at the same time, line after line
            a.type_line(says["a"][i])
            b.type_line(says["b"][i])
        for prog, sender, lines, name in ((b, a.address, says["a"], "乙 / B"), (a, b.address, says["b"], "甲 / A")):
            wanted = [printed(sender, line) for line in lines]
            out = wait_output(prog, lambda out, wanted=wanted: all(w in out for w in wanted),
                              f"两个 chat 互相发送 {count} 行时，{name.split(' / ')[0]} 没有打印对方的每一行（含对方地址）。",
                              f"With two chats sending {count} lines to each other at once, {name.split(' / ')[1]} did not "
                              "print every line of the other (with the other's address).",
                              sent=f"{count} lines each, typed at once", expected=wanted[0] + " … " + wanted[-1], **THREAD_HINT)
            places = [out.find(w) for w in wanted]
            check(places == sorted(places), f"{name.split(' / ')[0]} 打印对方的行的顺序不对。",
                  f"{name.split(' / ')[1]} printed the other's lines out of order.", sent=f"{count} lines each, typed at once",
                  expected=" , ".join(lines[:4]) + " …",
                  got=" , ".join(lines[i] for i in sorted(range(count), key=places.__getitem__)[:4]) + " …")


def test_gbk_on_the_wire(learner):
    with ExitStack() as stack:
        peer = stack.enter_context(udp_socket())
        prog = start(learner, stack)
        point_at(prog, peer.getsockname())
        typed = ["你好，飞秋！", "笑脸 😀"]
        for line in typed:
            prog.type_line(line)
        got = typed_datagrams(prog, peer, len(typed), typed)
        for one, line in zip(got, typed, strict=True):
            expected = line.encode("gbk", "replace")
            check(one.data == expected, "发送的数据报应是输入的一行的 GBK 编码（GBK 写不出的字符写成 ?）。",
                  "A datagram sent must be the line typed, encoded in GBK (a character GBK cannot write as ?).",
                  sent=f"键入 / typed: {line!r}", expected=shown(expected), got=shown(one.data),
                  details=first_difference(one.data, expected),
                  hint_zh="line.encode(\"gbk\", \"replace\")。", hint_en="line.encode(\"gbk\", \"replace\").")
        peer.sendto("收到，李白".encode("gbk"), prog.address)
        shows(prog, peer.getsockname(), "收到，李白", "收到的 GBK 数据报应解码后打印。", "A GBK datagram received must be printed decoded.",
              sent=shown("收到，李白".encode("gbk")), hint_zh="data.decode(\"gbk\", \"replace\")。",
              hint_en="data.decode(\"gbk\", \"replace\").")


def test_survives_untame_datagrams(learner):
    long = "长" * 4000  # 8000 bytes of GBK: far more than recvfrom(1024) reads
    with ExitStack() as stack:
        peer = stack.enter_context(udp_socket())
        prog = start(learner, stack)
        point_at(prog, peer.getsockname())
        sent = ["b'' (空数据报 / empty datagram)", "b'\\xff\\xfe\\x80 not gbk'", f"'长' × 4000 ({len(long.encode('gbk'))} bytes)"]
        peer.sendto(b"", prog.address)
        peer.sendto(b"\xff\xfe\x80 not gbk", prog.address)
        peer.sendto(long.encode("gbk"), prog.address)
        shows(prog, peer.getsockname(), long, f"一个 {len(long.encode('gbk'))} 字节的数据报应完整打印（在空数据报和非 GBK 字节之后）。",
              f"A datagram of {len(long.encode('gbk'))} bytes must be printed whole (after an empty datagram and bytes that "
              "are not GBK).", sent=" , ".join(sent),
              hint_zh="recvfrom(65535)：recvfrom(1024) 会把更长的数据报悄悄截断。空数据报不是“结束”；解码用 errors=\"replace\"，"
                      "接收线程不能因为一个数据报而死掉。",
              hint_en="recvfrom(65535): recvfrom(1024) silently cuts a longer datagram. An empty datagram is not \"the end\"; "
                      "decode with errors=\"replace\": one datagram must not kill the receive thread.")
        peer.sendto(b"still here", prog.address)
        shows(prog, peer.getsockname(), "still here", "之后的数据报也应打印：接收线程应一直运行。",
              "The datagram after them must be printed too: the receive thread must keep running.", sent=" , ".join(sent))


def test_exit_ends_chat(learner):
    with ExitStack() as stack:
        _, peer, _ = exit_while_receiving(learner, stack)
        late = receive(peer, 0.2)  # a bounded wait for what must NOT come: chat has already returned
        check(late is None, "exit 只是结束聊天的命令，不应发给对方。", "exit only ends the chat: it must not be sent to the other side.",
              sent="exit", got=shown(late.data) if late else None)


def test_eof_ends_chat(learner):
    with ExitStack() as stack:
        peer = stack.enter_context(udp_socket())
        prog = start(learner, stack)
        point_at(prog, peer.getsockname())
        wait_until_waiting_for_datagram(prog, prog.timeout)
        prog.close_stdin()  # Ctrl-D
        ends(prog, "输入结束（EOF） / the end of input (EOF)")


def test_receive_thread_ends(learner):
    with ExitStack() as stack:
        _, _, left = exit_while_receiving(learner, stack)
    check(not left["threads_left"], f"chat 返回之后，接收线程还在运行（卡在 recvfrom 里）：{left['threads_left']}。",
          f"After chat returned, the receive thread was still running (stuck in recvfrom): {left['threads_left']}.",
          sent="exit", expected="[]", got=left["threads_left"], **STOP_HINT)


def test_closes_socket(learner):
    with ExitStack() as stack:
        _, _, left = exit_while_receiving(learner, stack)
    check(left["open_sockets"] == 0, f"chat 返回时还有 {left['open_sockets']} 个套接字没有关闭。",
          f"When chat returned, {left['open_sockets']} sockets were still open.", sent="exit", expected=0, got=left["open_sockets"],
          hint_zh="接收线程结束后 sock.close()。", hint_en="sock.close() once the receive thread has ended.")
    check(not left["unclosed"], "chat 没有关闭它的套接字，是垃圾回收替它关的。", "chat did not close its socket: the garbage collector closed it.",
          sent="exit", got="; ".join(left["unclosed"]), hint_zh="接收线程结束后 sock.close()（放在 finally 里）。",
          hint_en="sock.close() once the receive thread has ended (in a finally block).")
