"""tcp/basics: a one-shot server and a client, graded over real loopback sockets."""
import socket

from grader.feedback import LearnerCrashed, check, equal, fail
from grader.net import TcpPeer, recv_until, send_in_fragments
from kit.calls import hang_explained

GREETING = "你好，我是客户端！"
REPLY = "数据接收成功！"
HOST = "127.0.0.1"


def exchange(srv, parts):
    """Send the parts (each only once the server has read the previous); return reply bytes."""
    with srv.connect() as sock:
        send_in_fragments(sock, parts, srv.timeout)
        try:
            return recv_until(sock)
        except ConnectionResetError:
            return b"<connection reset>"


def test_server_replies(learner):
    with learner.server("tcp_basics:serve_once", HOST, 0) as srv:
        reply = exchange(srv, [(GREETING + "\n").encode()])
    equal(reply, REPLY.encode(), "服务器的回复不对（应为 UTF-8 编码的“数据接收成功！”，然后关闭连接）。",
          "The server's reply is wrong (expected 数据接收成功！ in UTF-8, then the connection closed).",
          sent=GREETING + "\\n")


def test_server_returns_message(learner):
    with learner.server("tcp_basics:serve_once", HOST, 0) as srv:
        exchange(srv, [(GREETING + "\n").encode()])
        got = srv.result()
    equal(got, GREETING, "serve_once 应返回收到的消息（不含换行）。", "serve_once must return the message it received (without the newline).",
          sent=GREETING + "\\n")


def test_server_prints_message(learner):
    with learner.server("tcp_basics:serve_once", HOST, 0) as srv:
        exchange(srv, [b"hello\n"])
        srv.result()
        out = srv.stdout.text()
    check("client : hello" in out, "服务器应打印 “client : <消息>”。", "The server must print 'client : <message>'.",
          sent="hello\\n", expected="client : hello", got=out)


def test_server_reads_fragmented_message(learner):
    data = (GREETING + "\n").encode()  # 3 bytes per character: every cut below falls inside one
    parts = [data[:2], data[2:7], data[7:13], data[13:20], data[20:25], data[25:]]
    with learner.server("tcp_basics:serve_once", HOST, 0) as srv:
        reply = exchange(srv, parts)
        got = srv.result()
    equal(got, GREETING, "消息分几段到达（切在汉字的字节中间）时，服务器没有读完整条消息，或把半个汉字单独解码了。",
          "When the message arrived in pieces (cut inside characters), the server did not read all of it, or decoded "
          "half a character on its own.",
          sent=" + ".join(repr(p) for p in parts),
          hint_zh="TCP 是字节流：循环 recv 直到收到 \\n，把收到的字节拼起来后再一起解码。",
          hint_en="TCP is a stream: recv in a loop until you have the \\n, join the bytes, then decode them at once.")
    equal(reply, REPLY.encode(), "服务器的回复不对。", "The server's reply is wrong.")


def test_server_reads_until_peer_closes(learner):
    data = GREETING.encode()  # no newline: the client ends its message by shutting down its sending side
    sent = f"{GREETING!r}（没有 \\n），然后 shutdown(SHUT_WR) / {GREETING!r} (no \\n), then shutdown(SHUT_WR)"
    with hang_explained(
            learner, "客户端发完消息（没有 \\n）就关闭了发送方向，服务器却一直没有回复：它还在等 \\n。",
            "The client sent its message without \\n and shut down its sending side, but the server never replied: it "
            "still waits for the \\n.", sent=sent,
            hint_zh="recv 返回 b\"\" 表示对方关闭了连接，不会再有数据：这时停止读取，把已收到的当作消息。",
            hint_en="recv returning b\"\" means the peer closed and nothing more will come: stop reading there and take "
                    "what arrived as the message."):
        with learner.server("tcp_basics:serve_once", HOST, 0) as srv:
            with srv.connect() as sock:
                sock.sendall(data)
                sock.shutdown(socket.SHUT_WR)
                try:
                    reply = recv_until(sock)
                except ConnectionResetError:
                    reply = b"<connection reset>"
            got = srv.result()
    equal(got, GREETING, "对方关闭连接前没有发 \\n 时，serve_once 应返回已收到的全部文本。",
          "When the peer closed without sending a \\n, serve_once must return all the text it received.", sent=sent)
    equal(reply, REPLY.encode(), "服务器的回复不对。", "The server's reply is wrong.", sent=sent)


def test_server_reuses_address(learner):
    with learner.server("tcp_basics:serve_once", HOST, 0) as first:
        exchange(first, [b"one\n"])  # the server closes first, so its port is left in TIME_WAIT
        first.result()
        port = first.port
    try:
        with learner.server("tcp_basics:serve_once", HOST, port) as second:
            reply = exchange(second, [b"two\n"])
    except LearnerCrashed as exc:
        fail(f"服务器结束后立刻在同一端口 {port} 重启失败。", f"Restarting the server on the same port {port} right after it ended failed.",
             hint_zh="bind 之前设置 SO_REUSEADDR。", hint_en="Set SO_REUSEADDR before bind.", details=exc.render())
    equal(reply, REPLY.encode(), "重启后的服务器回复不对。", "The restarted server's reply is wrong.")


def peer_replying(reply_parts):
    def handler(conn):
        data = recv_until(conn, b"\n")
        send_in_fragments(conn, reply_parts, conn.gettimeout())
        return data

    return handler


def test_client_sends_message(learner):
    with TcpPeer(peer_replying([REPLY.encode()])) as peer:
        learner.call("tcp_basics:send_message", *peer.address, GREETING)
    check(peer.errors[0] is None, "测试服务器没收到完整的一行。", "The test server did not receive a whole line.", got=peer.errors[0])
    equal(peer.results[0], (GREETING + "\n").encode(), "客户端发送的内容不对（应为 UTF-8 的 text + \\n）。",
          "The client sent the wrong bytes (expected text + \\n in UTF-8).")


def test_client_returns_reply(learner):
    with TcpPeer(peer_replying([REPLY.encode()])) as peer:
        got = learner.call("tcp_basics:send_message", *peer.address, "hi")
    equal(got, REPLY, "send_message 应返回服务器的回复。", "send_message must return the server's reply.", sent="hi")


def test_client_reads_whole_reply(learner):
    data = REPLY.encode()
    parts = [data[:4], data[4:11], data[11:]]  # cuts through UTF-8 characters on purpose
    with TcpPeer(peer_replying(parts)) as peer:
        got = learner.call("tcp_basics:send_message", *peer.address, "hi")
    equal(got, REPLY, "回复分三段到达时，客户端没有读完整（或把半个汉字单独解码了）。",
          "When the reply arrived in three pieces, the client did not read all of it (or decoded half a character).",
          sent=" + ".join(repr(p) for p in parts),
          hint_zh="一直 recv 到对方关闭，再把全部字节一起解码。", hint_en="recv until the server closes, then decode all bytes at once.")


def test_client_sends_unicode_whole(learner):
    text = "多字节 ✓ " * 600_000  # about 8 MiB, read slowly: more than the kernel takes in one send()
    sent = ("send_message(host, port, text)，text 约 8 MiB，测试服务器读得很慢，调用期间每 5 ms 来一次 SIGALRM 信号 / "
            "text of about 8 MiB, a slow-reading test server, and a SIGALRM every 5 ms during the call")
    with TcpPeer(peer_replying([REPLY.encode()]), rcvbuf=4096) as peer, hang_explained(
            learner, "send_message 没有返回：测试服务器一直没收齐消息和结尾的 \\n，所以没有回复。send() 被信号打断或缓冲区满时只发出一部分。",
            "send_message did not return: the test server never received the whole message and its final \\n, so it "
            "never replied. send() sends only part of the data when a signal interrupts it or the buffer is full.",
            sent=sent, hint_zh="把 send 换成 sendall：它会一直发，直到全部发完。",
            hint_en="Replace send with sendall: it keeps sending until all is sent."):
        # SIGALRM every 5 ms: a blocking send() interrupted after a partial transfer returns early
        got = learner.call("send_with_signals", *peer.address, text, 0.005)
    data = peer.results[0] or b""
    check(data == (text + "\n").encode(), "长消息没有完整发送：send() 被信号打断或缓冲区满时只发出一部分，要用 sendall。",
          "A long message was not sent whole: send() sends only part of it when a signal interrupts it or the buffer is "
          "full; use sendall.", sent=sent, expected=f"{len((text + chr(10)).encode())} bytes ending with \\n",
          got=f"{len(data)} bytes" + ("" if data.endswith(b"\n") else " (no \\n at the end)"),
          hint_zh="把 send 换成 sendall：它会一直发，直到全部发完。", hint_en="Replace send with sendall: it keeps sending until all is sent.")
    equal(got["reply"], REPLY, "send_message 应返回服务器的回复。", "send_message must return the server's reply.", sent=sent)
