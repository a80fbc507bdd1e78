"""tcp/timestamp-echo: the notes' timestamp server and client, over real loopback sockets.

Protocol: lines of UTF-8 text ending in "\\n"; the server answers each line with
"[<time.ctime()>] <line>\\n".  The server is reached by test sockets; the client is run as a
program whose stdin the test types into, connected to a listener of the test that plays
the server, and its stdout is read while it waits for input.
"""
import calendar
import re
import time
from contextlib import ExitStack

from grader.feedback import check, fail
from grader.net import reset, send_in_fragments
from kit.lines import (
    HOST,
    LineReader,
    accept_from,
    connect,
    listening,
    output_tail,
    received_so_far,
    restart_on_same_port,
    same,
    shown,
    wait_output,
    waiting_for_input,
)

CTIME = r"[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}"
STAMPED = re.compile(rf"\[(?P<ts>{CTIME})\] (?P<text>.*)", re.S)
# The checks that are not about the time's format accept any "[...] " prefix, so that a wrong
# format loses test_server_stamps_line only.
ANY_STAMP = re.compile(r"\[(?P<ts>[^\]\n]*)\] (?P<text>.*)", re.S)


def stamped_text(got: bytes | None) -> str | None:
    """The line a reply answers, whatever its time looks like; None if it is no reply."""
    match = ANY_STAMP.fullmatch(got.decode("utf-8", "replace")) if got is not None else None
    return match["text"] if match else None
FIXED = "Mon Jan  1 00:00:00 2024"  # what the test's own server puts in its replies
CLOSE_TO_NOW = 120  # seconds: the stamp must be the current time, not a constant

STREAM_HINT = dict(
    hint_zh="TCP 是字节流：一次 recv 可能只收到半行，也可能收到好几行。把收到的字节攒在缓冲区里，每遇到一个 \\n 处理一行。",
    hint_en="TCP is a byte stream: one recv may hold half a line or several lines. Keep the bytes in a buffer and "
            "handle one line per \\n found.",
)
THREAD_HINT = dict(
    hint_zh="用一个线程专门 recv 并打印服务器发来的每一行；主线程只管 input() 和发送。",
    hint_en="Have a thread of its own recv and print every line the server sends; the main thread only does "
            "input() and sending.",
)

PIPE_HINT = dict(
    hint_zh="print(..., flush=True)：输出进了管道，不刷新就会留在缓冲区里。",
    hint_en="print(..., flush=True): the output goes into a pipe, and without a flush it stays in the buffer.",
)


# -- the server -----------------------------------------------------------------------------
def check_stamped(srv, got: bytes | None, text: str, sent: str):
    """got must be "[<ctime of about now>] <text>"."""
    if got is None:
        fail("服务器没有回复就关闭了连接。", "The server closed the connection without replying.", sent=sent,
             details=output_tail(srv))
    reply = got.decode("utf-8", "replace")
    match = STAMPED.fullmatch(reply)
    if match is None or match["text"] != text:
        fail("回复的格式不对：应为 \"[time.ctime() 的结果] 原来那一行\" 再加 \\n。",
             "Wrong reply format: expected \"[what time.ctime() returns] the line as sent\" and \\n.",
             sent=sent, expected=f"[{FIXED}] {shown(text)}  (例如 / e.g.)", got=shown(reply),
             hint_zh="reply = \"[%s] %s\\n\" % (ctime(), 那一行)，ctime 来自 time 模块。",
             hint_en="reply = \"[%s] %s\\n\" % (ctime(), line), ctime coming from the time module.")
    stamp = time.strptime(match["ts"], "%a %b %d %H:%M:%S %Y")
    now = time.time()
    off = min(abs(time.mktime(stamp) - now), abs(calendar.timegm(stamp) - now))  # local time, or UTC
    check(off <= CLOSE_TO_NOW, f"回复里的时间不是现在的时间（差了 {off:.0f} 秒）。",
          f"The time in the reply is not the current time (off by {off:.0f} s).", sent=sent, got=reply,
          expected=f"[{time.ctime(now)}] {shown(text)}", hint_zh="每次回复时调用 ctime()。", hint_en="Call ctime() for every reply.")


def ask(srv, sock, reader, text: str):
    sock.sendall(text.encode() + b"\n")
    return reader.line(srv.timeout)


def test_server_stamps_line(learner):
    with learner.server("ts_echo:serve", HOST, 0) as srv, connect(srv) as sock:
        reader = LineReader(sock)
        for text in ["hello", "你好，服务器！"]:
            check_stamped(srv, ask(srv, sock, reader, text), text, text + "\\n")


def test_server_many_round_trips(learner):
    with learner.server("ts_echo:serve", HOST, 0) as srv, connect(srv) as sock:
        reader = LineReader(sock)
        for i in range(1, 31):
            text = f"第 {i} 行 / line {i}"
            got = ask(srv, sock, reader, text)
            if stamped_text(got) != text:
                fail(f"一问一答 30 次，第 {i} 次的回复不对。", f"30 round trips: reply {i} is wrong.",
                     sent=text + "\\n", expected=f"[<ctime>] {text}", got=shown(got) if got is not None else "EOF",
                     details=output_tail(srv))


def test_server_reads_fragmented_line(learner):
    data = "你好，服务器！\n".encode()
    parts = [data[:4], data[4:11], data[11:]]  # cuts through UTF-8 characters on purpose
    with learner.server("ts_echo:serve", HOST, 0) as srv, connect(srv) as sock:
        reader = LineReader(sock)
        send_in_fragments(sock, parts, srv.timeout)  # each part only after the server read the last
        sent = " + ".join(repr(p) for p in parts)
        got = reader.line(srv.timeout)
        check(stamped_text(got) == "你好，服务器！", "一行分三段到达时，服务器应在收到 \\n 之后对整行回复一次。",
              "When a line arrives in three pieces, the server must reply once, to the whole line, after the \\n.",
              sent=sent, expected="[<ctime>] 你好，服务器！", got=shown(got) if got is not None else "EOF", **STREAM_HINT)
        sock.sendall(b"next\n")  # and the next reply must be for "next": no stray replies to the pieces
        got = reader.line(srv.timeout)
        check(stamped_text(got) == "next", "一行分段到达后，服务器多回复了（对某一段单独回复了）。",
              "After a line arrived in pieces, the server sent extra replies (to single pieces).", sent="next\\n",
              expected="[<ctime>] next", got=shown(got) if got is not None else "EOF", **STREAM_HINT)


def test_server_splits_lines(learner):
    with learner.server("ts_echo:serve", HOST, 0) as srv, connect(srv) as sock:
        reader = LineReader(sock)
        sock.sendall("第一行\n第二行\n".encode())  # two lines in one send
        got = reader.lines(2, srv.timeout)
        if [stamped_text(g) for g in got] != ["第一行", "第二行"]:
            fail("一次发来两行时，服务器应对每一行分别回复。", "When two lines arrive in one send, the server must reply to each line.",
                 sent="第一行\\n第二行\\n", expected="[<ctime>] 第一行\\n[<ctime>] 第二行\\n",
                 got=shown(b"\n".join(got)), **STREAM_HINT)


def test_server_large_line(learner):
    text = "大消息 ✓ " * 4681  # 65 534 bytes of UTF-8 and the \n: 64 KiB, sent with one sendall
    with learner.server("ts_echo:serve", HOST, 0) as srv, connect(srv) as sock:
        got = ask(srv, sock, LineReader(sock), text)
        if stamped_text(got) != text:
            fail("一次发来的 64 KiB 长行没有得到一个完整的回复。", "A 64 KiB line sent at once did not get one whole reply.",
                 sent=shown(text + "\n"), expected=f"[<ctime>] {shown(text)}",
                 got=shown(got) if got is not None else "EOF", details=output_tail(srv), **STREAM_HINT)


def test_server_logs_connection(learner):
    with learner.server("ts_echo:serve", HOST, 0) as srv, connect(srv) as sock:
        ask(srv, sock, LineReader(sock), "hi")
        line = f"...连接: {sock.getsockname()}"
        wait_output(srv, lambda out: line in out.splitlines(), "服务器接受连接后应打印 \"...连接: <地址>\"。",
                    "After accepting a connection the server must print \"...连接: <address>\".", expected=line,
                    hint_zh="print(f\"...连接: {addr}\", flush=True)，addr 是 accept 返回的地址元组。",
                    hint_en="print(f\"...连接: {addr}\", flush=True), addr being the tuple accept returned.")


def test_server_serves_next_client(learner):
    with learner.server("ts_echo:serve", HOST, 0) as srv:
        for name in ("first", "second"):
            with connect(srv) as sock:
                got = ask(srv, sock, LineReader(sock), name)
                check(stamped_text(got) == name, "服务器没有回复这一行。", "The server did not reply to this line.",
                      sent=name + "\\n", expected=f"[<ctime>] {name}", got=shown(got) if got is not None else "EOF")
                if name == "second":
                    reset(sock)  # RST instead of FIN, as a crashing client would
        with connect(srv) as third:
            reader = LineReader(third)
            third.sendall(b"third\n")
            got = reader.line(srv.timeout)
        if got is None:
            fail("一个客户端异常断开（RST）之后，下一个客户端没有得到服务。",
                 "After one client reset its connection, the next client was not served.", sent="third\\n",
                 got=f"EOF {reader.error or ''}", details=output_tail(srv),
                 hint_zh="recv 可能抛出 ConnectionResetError：捕获它，关闭这个连接，回去 accept 下一个客户端。",
                 hint_en="recv may raise ConnectionResetError: catch it, close that connection, and go back to accept.")
        check(stamped_text(got) == "third", "服务器没有回复第三个客户端。", "The server did not reply to the third client.",
              sent="third\\n", expected="[<ctime>] third", got=shown(got))


def test_server_restarts_on_same_port(learner):
    """The server is stopped while a client is still connected (the server's side of that
    connection stays bound to the port, in FIN_WAIT2 or TIME_WAIT), then a new server starts on
    the same port at once: bind succeeds only with SO_REUSEADDR set before it."""
    with ExitStack() as stack:
        with learner.server("ts_echo:serve", HOST, 0) as first:
            sock = stack.enter_context(connect(first))
            got = ask(first, sock, LineReader(sock), "before restart")
            check(stamped_text(got) == "before restart", "服务器没有回复这一行。", "The server did not reply to this line.",
                  sent="before restart\\n", expected="[<ctime>] before restart", got=shown(got) if got is not None else "EOF")
            port = first.port
        second = restart_on_same_port(learner, "ts_echo:serve", port)
        with second, connect(second) as fresh:
            got = ask(second, fresh, LineReader(fresh), "after restart")
            check(stamped_text(got) == "after restart", "在同一端口重启的服务器没有回复。",
                  "The server restarted on the same port did not reply.", sent="after restart\\n",
                  expected="[<ctime>] after restart", got=shown(got) if got is not None else "EOF")


def test_server_logs_reach_a_pipe_at_once(learner):
    """With the server's stdout a block-buffered pipe (not a terminal): 等待连接... appears while it
    waits for the first client, ...连接: <addr> while that client is connected, and 等待连接...
    again once it left."""
    with learner.server("serve_piped", HOST, 0) as srv:
        seen = srv.stdout.wait_for(lambda text: "等待连接..." in text, srv.timeout)
        check(seen, f"服务器的输出是管道（不是终端）时，{srv.timeout:g} 秒内没有看到等待连接时打印的 等待连接...。",
              f"With the server's output going to a pipe (not a terminal), 等待连接... did not appear within "
              f"{srv.timeout:g} s while it waited for a client.", expected="等待连接...",
              got=srv.stdout.text()[-1000:] or "(没有输出 / no output)", **PIPE_HINT)
        with connect(srv) as sock:
            line = f"...连接: {sock.getsockname()}"
            seen = srv.stdout.wait_for(lambda text: line in text, srv.timeout)
            check(seen, f"服务器的输出是管道（不是终端）时，客户端连着，{srv.timeout:g} 秒内没有看到 ...连接: <地址>。",
                  f"With the server's output going to a pipe (not a terminal), ...连接: <address> did not appear within "
                  f"{srv.timeout:g} s while the client was connected.", expected=line,
                  got=srv.stdout.text()[-1000:] or "(没有输出 / no output)", **PIPE_HINT)
        seen = srv.stdout.wait_for(lambda text: text.count("等待连接...") >= 2, srv.timeout)
        check(seen, f"服务器的输出是管道（不是终端）时，客户端离开后 {srv.timeout:g} 秒内没有再看到 等待连接...。",
              f"With the server's output going to a pipe (not a terminal), 等待连接... did not appear again within "
              f"{srv.timeout:g} s after the client left.", expected="等待连接... (第二次 / a second time)",
              got=srv.stdout.text()[-1000:], **PIPE_HINT)


# -- the client -----------------------------------------------------------------------------
def start_client(learner, stack):
    """The learner's client, typed into by the test, connected to the test's own server."""
    listener = stack.enter_context(listening())
    prog = stack.enter_context(learner.program("ts_echo:client", *listener.getsockname()))
    conn = stack.enter_context(accept_from(prog, listener))
    return prog, conn, LineReader(conn)


def typed_lines(prog, reader, count: int, sent: str) -> list[bytes]:
    """The next ``count`` lines the client sends; fails if they do not come."""
    try:
        return reader.lines(count, prog.timeout)
    except TimeoutError:
        fail("客户端没有把输入的每一行发给服务器（UTF-8，以 \\n 结尾）。",
             "The client did not send each line typed to the server (UTF-8, ending in \\n).", sent=sent,
             got=received_so_far(reader), details=output_tail(prog),
             hint_zh="sendall((输入的一行 + \"\\n\").encode())；不要等服务器的回复再读下一行输入。",
             hint_en="sendall((line_typed + \"\\n\").encode()); do not wait for the server's reply before reading "
                     "the next line typed.")


def printed(prog, line: str, zh: str, en: str, **kw):
    """The client's stdout must show ``line`` whole.  Not "line\\n": print() writes the text and
    its newline in two writes, and the main thread's input("> ") prompt may come between."""
    wait_output(prog, lambda out: line in out, zh, en, expected=line, **kw)


def test_client_sends_typed_lines(learner):
    with ExitStack() as stack:
        prog, conn, reader = start_client(learner, stack)
        typed = ["hello", "你好，服务器！"]
        for text in typed:
            prog.type_line(text)
        got = []
        for text in typed:  # answer each line, as the notes' server does, before reading the next
            got += typed_lines(prog, reader, 1, " , ".join(typed))
            conn.sendall(f"[{FIXED}] {text}\n".encode())
        same(prog, got, [t.encode() for t in typed], "客户端发给服务器的内容不对：每输入一行，发送这一行加 \\n（UTF-8）。",
             "The client sent the wrong bytes: for every line typed, send the line and \\n (UTF-8).",
             sent="键入 / typed: " + " , ".join(typed))


def test_client_prints_replies(learner):
    with ExitStack() as stack:
        prog, conn, reader = start_client(learner, stack)
        for text in ["hello", "第二行"]:
            prog.type_line(text)
            typed_lines(prog, reader, 1, text)
            reply = f"[{FIXED}] {text}"
            conn.sendall(reply.encode() + b"\n")
            printed(prog, reply, "客户端应把服务器发来的每一行原样打印出来（一行一个）。",
                    "The client must print every line the server sends, as it is (one per line).",
                    sent=f"服务器回复 / server replies: {reply}\\n", **THREAD_HINT)


def test_client_shows_message_while_waiting_for_input(learner):
    with ExitStack() as stack:
        prog, conn, _ = start_client(learner, stack)
        news = f"[{FIXED}] 服务器先说话 / the server speaks first"
        conn.sendall(news.encode() + b"\n")  # nothing typed: the client is waiting in input()
        printed(prog, news, "客户端在等待输入时，没有打印服务器发来的消息。",
                "While the client was waiting for input, it did not print the line the server sent.",
                sent=f"服务器主动发送 / server sends: {news}\\n（什么也没有输入 / nothing typed）", **THREAD_HINT)


def test_client_reads_fragmented_reply(learner):
    with ExitStack() as stack:
        prog, conn, reader = start_client(learner, stack)
        prog.type_line("你好")
        typed_lines(prog, reader, 1, "你好")
        reply = f"[{FIXED}] 你好，客户端！".encode() + b"\n"
        cut = reply.index("好".encode()) + 1  # inside a character on purpose
        parts = [reply[:cut], reply[cut:cut + 5], reply[cut + 5:]]
        send_in_fragments(conn, parts, prog.timeout)
        printed(prog, reply.decode().rstrip("\n"), "服务器的一行分三段到达时，客户端应把整行打印一次。",
                "When a line from the server arrives in three pieces, the client must print it once, whole.",
                sent=" + ".join(repr(p) for p in parts), **STREAM_HINT)
        prog.type_line("长一点")
        typed_lines(prog, reader, 1, "长一点")
        big = f"[{FIXED}] " + "长回复 ✓ " * 2500  # 35 KB sent at once: more than any single recv(1024)
        conn.sendall(big.encode() + b"\n")
        printed(prog, big, "服务器一次发来 35 KB 的一行时，客户端应把整行打印一次。",
                "When the server sends a 35 KB line at once, the client must print it once, whole.",
                sent=shown(big + "\n"), **STREAM_HINT)


def test_client_stops_on_empty_line(learner):
    with ExitStack() as stack:
        prog, conn, reader = start_client(learner, stack)
        prog.type_line("a")
        typed_lines(prog, reader, 1, "a")
        conn.sendall(f"[{FIXED}] a\n".encode())
        printed(prog, f"[{FIXED}] a", "客户端应打印服务器的回复。", "The client must print the server's reply.")
        prog.type_line("")  # an empty line: the end
        ended_session(prog, conn, reader, "键入空行 / typed an empty line")


def test_client_stops_on_eof(learner):
    with ExitStack() as stack:
        prog, conn, reader = start_client(learner, stack)
        prog.type_line("a")
        typed_lines(prog, reader, 1, "a")
        conn.sendall(f"[{FIXED}] a\n".encode())
        printed(prog, f"[{FIXED}] a", "客户端应打印服务器的回复。", "The client must print the server's reply.")
        prog.close_stdin()  # Ctrl-D: input() raises EOFError
        ended_session(prog, conn, reader, "输入结束（EOF，Ctrl-D）/ end of input (EOF, Ctrl-D)",
                      hint_zh="input() 在输入结束时抛出 EOFError：捕获它，和空行一样结束。",
                      hint_en="input() raises EOFError at the end of input: catch it and end as for an empty line.")


def ended_session(prog, conn, reader, sent: str, **hint):
    """After the last line the client closes (at least its sending side), and returns once we close."""
    try:
        rest = reader.line(prog.timeout)
    except TimeoutError:
        rest = b"(timeout)"
    if rest is not None:
        if not prog.alive():
            prog.result(1.0)  # its exception, if it crashed
        fail("输入结束后，客户端应关闭连接（至少关闭发送方向），服务器才知道没有更多的行了。",
             "Once input ended, the client must close the connection (at least its sending side), so that the server "
             "knows no more lines come.", sent=sent, expected="EOF", got=shown(rest), details=output_tail(prog),
             **(hint or dict(hint_zh="空行表示结束：sock.shutdown(socket.SHUT_WR)，等接收线程结束，再 close()。",
                             hint_en="An empty line ends it: sock.shutdown(socket.SHUT_WR), wait for the receiving "
                                     "thread to end, then close().")))
    conn.close()  # the server closes too
    prog.wait_exit("服务器关闭连接之后，客户端 client() 应返回。", "Once the server closed the connection, client() must return.",
                   sent=sent + "，然后服务器关闭连接 / then the server closes", **hint)


def test_client_prints_replies_after_last_line(learner):
    with ExitStack() as stack:
        prog, conn, reader = start_client(learner, stack)
        for text in ["x", "y", ""]:  # typed at once; this server answers only once the client is done
            prog.type_line(text)
        sent = "键入 / typed: x , y , (空行 / empty line)"
        got = []
        while True:
            try:
                line = reader.line(prog.timeout)
            except TimeoutError:
                fail("键入 x、y 和空行后，客户端没有发完这两行并关闭发送方向。",
                     "After x, y and an empty line were typed, the client did not send both lines and shut down its "
                     "sending side.", sent=sent, got=shown(b"\n".join(got) + reader.pending), details=output_tail(prog),
                     **THREAD_HINT)
            if line is None:
                break
            got.append(line)
        same(prog, got, [b"x", b"y"], "客户端发给服务器的内容不对。", "The client sent the wrong lines.", sent=sent)
        try:
            conn.sendall(f"[{FIXED}] x\n[{FIXED}] y\n".encode())
        except OSError:
            pass  # the client closed the whole connection at once: reported below
        conn.close()
        for text in ["x", "y"]:
            printed(prog, f"[{FIXED}] {text}", "客户端发完最后一行后，应等服务器回复完（服务器关闭连接）再结束，并打印全部回复。",
                    "After its last line, the client must wait for the server to finish replying (it closes the "
                    "connection), printing every reply, before it ends.", sent=sent,
                    hint_zh="空行之后用 sock.shutdown(socket.SHUT_WR) 只关闭发送方向，然后 join 接收线程（它读到 EOF 才结束），最后 close()。",
                    hint_en="After the empty line, sock.shutdown(socket.SHUT_WR) closes only the sending side; then join "
                            "the receiving thread (it ends at EOF), then close().")
        prog.wait_exit("服务器关闭连接之后，客户端 client() 应返回。", "Once the server closed the connection, client() must return.",
                       sent=sent)


def test_client_prints_to_a_pipe_at_once(learner):
    """With the client's stdout a block-buffered pipe (not a terminal): a line from the server is
    printed at once while the client waits in input() (which flushed its prompt earlier)."""
    with ExitStack() as stack:
        listener = stack.enter_context(listening())
        prog = stack.enter_context(learner.program("client_piped", *listener.getsockname()))
        conn = stack.enter_context(accept_from(prog, listener))
        news = f"[{FIXED}] 管道 / pipe"
        waiting_for_input(prog, prog.timeout)  # past input()'s flush of its prompt: nothing else flushes now
        conn.sendall(news.encode() + b"\n")  # nothing typed: the client is waiting in input()
        printed(prog, news, "客户端的输出是管道（不是终端）时，等待输入期间没有立刻打印服务器发来的消息。",
                "With the client's output going to a pipe (not a terminal), a line from the server was not printed at "
                "once while it waited for input.", sent=f"服务器主动发送 / server sends: {news}\\n（什么也没有输入 / nothing typed）",
                **PIPE_HINT)
