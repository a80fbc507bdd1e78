"""tcp/iterative-server: one client at a time, each line logged and echoed, over real sockets.

Protocol: lines of UTF-8 text ending in "\\n"; every line comes back as it was sent.  Log:
"<ip> <port>连接上了", "<{addr}>: {line}" per line, "客户端{addr}退出".
"""
from contextlib import ExitStack

from grader.feedback import check, fail
from grader.net import reset, send_in_fragments
from kit.lines import (
    HOST,
    LineReader,
    connect,
    echo_line,
    log_has,
    output_tail,
    restart_on_same_port,
    same,
    shown,
    wait_output,
)

# Long enough that a 1024-byte recv cuts it, and through UTF-8 characters.
LONG = "单进程服务器 ✓ " * 200
ANSWER_WINDOW = 0.5  # how long a concurrent server would have to answer a waiting client

STREAM_HINT = dict(
    hint_zh="TCP 是字节流：一次 recv 可能只收到半行，也可能收到好几行。把收到的字节攒在缓冲区里，每遇到一个 \\n 处理一行。",
    hint_en="TCP is a byte stream: one recv may hold half a line or several lines. Keep the bytes in a buffer and "
            "handle one line per \\n found.",
)


def addr_of(sock) -> str:
    """How the server prints the client's address: the tuple accept() returned."""
    return str(sock.getsockname())


def wait_log(srv, wanted, zh, en, **kw):
    return wait_output(srv, log_has(wanted), zh, en, expected="\n".join(wanted), **kw)


# -- checks -------------------------------------------------------------------------------
def test_echoes_lines(learner):
    with learner.server("iter_server:serve", HOST, 0) as srv, connect(srv) as sock:
        reader = LineReader(sock)
        for text in ["hello", "你好，服务器！", LONG, "bye"]:
            got = echo_line(srv, sock, reader, text)
            same(srv, got, text.encode(), "服务器应把收到的每一行原样发回（UTF-8，以 \\n 结尾）。",
                 "The server must send every line back as it came (UTF-8, ending in \\n).",
                 sent=shown(text + "\n"), **STREAM_HINT)


def test_logs_connection_messages_and_exit(learner):
    with learner.server("iter_server:serve", HOST, 0) as srv:
        with connect(srv) as sock:
            addr, (ip, port) = addr_of(sock), sock.getsockname()
            reader = LineReader(sock)
            sock.sendall("hello\n你好\n".encode())  # two lines in one send
            got = reader.lines(2, srv.timeout)
            same(srv, got, [b"hello", "你好".encode()], "一次发来两行时，服务器应分别发回这两行。",
                 "When two lines arrive in one send, the server must send back both lines.",
                 sent="hello\\n你好\\n", **STREAM_HINT)
        wanted = [f"{ip} {port}连接上了", f"<{addr}>: hello", f"<{addr}>: 你好", f"客户端{addr}退出"]
        wait_log(srv, wanted, "服务器打印的日志不对：应依次打印连接、每一行消息、退出这几行。",
                 "The server's log is wrong: it must print the connection, each line received, and the exit, in order.",
                 sent="hello\\n你好\\n, then close",
                 hint_zh="accept 之后 print(f\"{addr[0]} {addr[1]}连接上了\")；每行 print(f\"<{addr}>: {文本}\")；"
                         "客户端离开时 print(f\"客户端{addr}退出\")。都要 flush=True。",
                 hint_en="After accept print(f\"{addr[0]} {addr[1]}连接上了\"); per line print(f\"<{addr}>: {text}\"); "
                         "when the client leaves print(f\"客户端{addr}退出\"). All with flush=True.")


def test_reads_fragmented_line(learner):
    data = "你好，服务器！\n".encode()
    parts = [data[:4], data[4:11], data[11:]]  # cuts through UTF-8 characters on purpose
    with learner.server("iter_server:serve", HOST, 0) as srv, connect(srv) as sock:
        addr = addr_of(sock)
        reader = LineReader(sock)
        send_in_fragments(sock, parts, srv.timeout)  # each part only after the server read the last
        got = reader.line(srv.timeout)
        sent = " + ".join(repr(p) for p in parts)
        same(srv, got, "你好，服务器！".encode(), "一行分三段到达时，服务器应在收到 \\n 之后把整行发回一次。",
             "When a line arrives in three pieces, the server must send the whole line back once, after the \\n.",
             sent=sent, **STREAM_HINT)
        wanted = [f"<{addr}>: 你好，服务器！"]
        wait_log(srv, wanted, "一行分三段到达时，服务器应只打印一行完整的日志。",
                 "When a line arrives in three pieces, the server must log it once, whole.",
                 sent=sent, **STREAM_HINT)


def test_echoes_large_line(learner):
    text = "大消息 ✓ " * 4681  # 65 534 bytes of UTF-8 and the \n: 64 KiB, sent with one sendall
    with learner.server("iter_server:serve", HOST, 0) as srv, connect(srv) as sock:
        reader = LineReader(sock)
        got = echo_line(srv, sock, reader, text)
        if got != text.encode():
            fail("一次发来的 64 KiB 长行没有被完整、原样地发回。", "A 64 KiB line sent at once was not sent back whole and unchanged.",
                 sent=shown(text + "\n"), expected=shown(text.encode() + b"\n"),
                 got=shown(got + b"\n") if got is not None else "(连接被关闭 / connection closed)",
                 hint_zh="攒够一整行（到 \\n）再处理；发回字节，不要对每一块分别 decode（会把汉字切断）。",
                 hint_en="Collect a whole line (up to \\n) before handling it; send bytes back, do not decode each "
                         "chunk on its own (that cuts characters apart).", details=output_tail(srv))


def test_serves_one_client_at_a_time(learner):
    with learner.server("iter_server:serve", HOST, 0) as srv, ExitStack() as stack:
        first = stack.enter_context(connect(srv))
        first_reader = LineReader(first)
        same(srv, echo_line(srv, first, first_reader, "one"), b"one", "第一个客户端没有收到回显。",
             "The first client got no echo.", sent="one\\n")
        second = stack.enter_context(connect(srv))
        second_reader = LineReader(second)
        second.sendall(b"two\n")
        early = second_reader.quiet_for(ANSWER_WINDOW)
        check(early == b"", "第一个客户端还连着时，第二个客户端的消息就得到了回复：这不是单进程（一次一个客户端）的服务器。",
              "The second client was answered while the first was still connected: this server does not serve one "
              "client at a time.", sent="two\\n", got=shown(early),
              hint_zh="单进程服务器：accept 一个客户端，服务到它离开，再 accept 下一个；不要用线程或进程。",
              hint_en="An iterative server: accept one client, serve it until it leaves, then accept the next; "
                      "no threads or processes.")
        same(srv, echo_line(srv, first, first_reader, "still me"), b"still me", "第一个客户端第二次没有收到回显。",
             "The first client's second line got no echo.", sent="still me\\n")
        first_addr, second_addr = addr_of(first), addr_of(second)
        second_ip, second_port = second.getsockname()
        first.close()
        got = second_reader.line(srv.timeout)
        same(srv, got, b"two", "第一个客户端离开后，第二个客户端应得到回显。", "Once the first client left, the second must get its echo.",
             sent="two\\n")
        wanted = [f"客户端{first_addr}退出", f"{second_ip} {second_port}连接上了", f"<{second_addr}>: two"]
        wait_log(srv, wanted, "日志顺序不对：第一个客户端退出之后，服务器才应接受第二个客户端。",
                 "Wrong log order: the server must accept the second client only after the first one left.")


def test_serves_next_client_after_first_leaves(learner):
    with learner.server("iter_server:serve", HOST, 0) as srv:
        with connect(srv) as first:
            same(srv, echo_line(srv, first, LineReader(first), "first"), b"first", "第一个客户端没有收到回显。",
                 "The first client got no echo.", sent="first\\n")
            second = connect(srv)  # waits in the listen backlog while the first is served
        with second:
            reader = LineReader(second)
            second.sendall(b"second\n")
            got = reader.line(srv.timeout)
            if got != b"second":
                fail("第一个客户端离开后，第二个客户端没有得到服务（连接被关闭或没有回显）。",
                     "After the first client left, the second client was not served (connection closed, or no echo).",
                     sent="second\\n", expected="second", got=shown(got) if got is not None else f"EOF {reader.error or ''}",
                     hint_zh="只关闭与客户端的连接（conn.close()），监听套接字要一直开着，外层循环回去 accept 下一个客户端。"
                             "笔记 §3.5.1 在循环里关闭了监听套接字（ss.close()），这是错的。",
                     hint_en="Close only the client's socket (conn.close()); keep the listening socket open and loop back "
                             "to accept the next client. The notes' §3.5.1 closes the listening socket (ss.close()) "
                             "inside the loop: that is the bug.", details=output_tail(srv))
        with connect(srv) as third:
            same(srv, echo_line(srv, third, LineReader(third), "third"), b"third", "第三个客户端没有收到回显。",
                 "A third client got no echo.", sent="third\\n")


def test_survives_client_reset(learner):
    with learner.server("iter_server:serve", HOST, 0) as srv:
        with connect(srv) as victim:
            same(srv, echo_line(srv, victim, LineReader(victim), "about to crash"), b"about to crash",
                 "客户端没有收到回显。", "The client got no echo.", sent="about to crash\\n")
            reset(victim)  # RST instead of FIN, as a crashing client would
        with connect(srv) as fresh:
            reader = LineReader(fresh)
            fresh.sendall(b"still there?\n")
            got = reader.line(srv.timeout)
        if got != b"still there?":
            fail("一个客户端异常断开（RST）之后，下一个客户端没有得到回显。",
                 "After one client reset its connection, the next client got no echo.",
                 sent="still there?\\n", got=shown(got) if got is not None else f"EOF {reader.error or ''}",
                 hint_zh="recv/sendall 可能抛出 ConnectionResetError：捕获它，当作客户端已离开，然后继续 accept。",
                 hint_en="recv/sendall may raise ConnectionResetError: catch it, treat it as the client leaving, and go "
                         "on accepting.", details=output_tail(srv))


def test_survives_invalid_utf8(learner):
    """A line that is not UTF-8 (b"\\xff\\xfe" and GBK bytes): echoed byte for byte, logged with
    decode("utf-8", "replace"); the server goes on and serves the next client."""
    data = b"\xff\xfe " + "你好 gbk".encode("gbk")
    text = data.decode("utf-8", "replace")
    hint = dict(hint_zh="日志用 line.decode(\"utf-8\", \"replace\")：不是 UTF-8 的字节会抛出 UnicodeDecodeError，让服务器退出；"
                        "回显发回原来的字节，不要解码再编码。",
                hint_en="Log with line.decode(\"utf-8\", \"replace\"): bytes that are not UTF-8 raise UnicodeDecodeError and "
                        "end the server; echo the original bytes, do not decode and re-encode them.")
    with learner.server("iter_server:serve", HOST, 0) as srv:
        with connect(srv) as sock:
            addr = addr_of(sock)
            reader = LineReader(sock)
            sock.sendall(data + b"\n")
            got = reader.line(srv.timeout)
            same(srv, got, data, "不是 UTF-8 的一行应按原来的字节发回。", "A line that is not UTF-8 must come back byte for byte.",
                 sent=repr(data + b"\n"), **hint)
        wait_log(srv, [f"<{addr}>: {text}", f"客户端{addr}退出"], "不是 UTF-8 的一行应用 decode(\"utf-8\", \"replace\") 打印。",
                 "A line that is not UTF-8 must be logged with decode(\"utf-8\", \"replace\").", sent=repr(data + b"\n"), **hint)
        with connect(srv) as fresh:
            got = echo_line(srv, fresh, LineReader(fresh), "next")
        same(srv, got, b"next", "收到一行不是 UTF-8 的数据之后，下一个客户端没有得到回显。",
             "After a line that is not UTF-8, the next client got no echo.", sent="next\\n", **hint)


def test_restarts_on_same_port(learner):
    """The server is stopped while a client is still connected (the server's side of that
    connection stays bound to the port, in FIN_WAIT2 or TIME_WAIT), then a new server starts on
    the same port at once: bind succeeds only with SO_REUSEADDR set before it."""
    with ExitStack() as stack:
        with learner.server("iter_server:serve", HOST, 0) as first:
            sock = stack.enter_context(connect(first))
            same(first, echo_line(first, sock, LineReader(sock), "before restart"), b"before restart",
                 "客户端没有收到回显。", "The client got no echo.", sent="before restart\\n")
            port = first.port
        second = restart_on_same_port(learner, "iter_server:serve", port)
        with second, connect(second) as fresh:
            same(second, echo_line(second, fresh, LineReader(fresh), "after restart"), b"after restart",
                 "在同一端口重启的服务器没有回显。", "The server restarted on the same port did not echo.",
                 sent="after restart\\n")


def test_logs_reach_a_pipe_at_once(learner):
    """With the server's stdout a block-buffered pipe (not a terminal): the connection line and a
    line's log appear while its client is connected, and the client's exit line once it has left,
    while the server runs (waiting in accept for the next client)."""
    hint = dict(hint_zh="print(..., flush=True)：输出进了管道，不刷新就会留在缓冲区里。",
                hint_en="print(..., flush=True): the output goes into a pipe, and without a flush it stays in the buffer.")
    with learner.server("serve_piped", HOST, 0) as srv:
        with connect(srv) as sock:
            addr, (ip, port) = addr_of(sock), sock.getsockname()
            for line, sent in ((f"{ip} {port}连接上了", None), (f"<{addr}>: 你好", "你好\\n")):
                if sent:  # the connection line first, before anything printed later could flush it out
                    same(srv, echo_line(srv, sock, LineReader(sock), "你好"), "你好".encode(), "客户端没有收到回显。",
                         "The client got no echo.", sent=sent)
                seen = srv.stdout.wait_for(lambda text, line=line: line in text, srv.timeout)
                check(seen, f"服务器的输出是管道（不是终端）时，客户端还连着，{srv.timeout:g} 秒内没有看到这一行日志。",
                      f"With the server's output going to a pipe (not a terminal), this log line did not appear within "
                      f"{srv.timeout:g} s while its client was still connected.", sent=sent or "(连接 / connect)",
                      expected=line, got=srv.stdout.text()[-1000:] or "(没有输出 / no output)", **hint)
        line = f"客户端{addr}退出"
        seen = srv.stdout.wait_for(lambda text: line in text, srv.timeout)
        check(seen, f"服务器的输出是管道（不是终端）时，客户端离开后 {srv.timeout:g} 秒内没有看到它的退出消息。",
              f"With the server's output going to a pipe (not a terminal), the exit line of a client that left did not "
              f"appear within {srv.timeout:g} s.", expected=line, got=srv.stdout.text()[-1000:], **hint)


