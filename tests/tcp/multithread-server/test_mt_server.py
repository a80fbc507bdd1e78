"""tcp/multithread-server: a thread per client, each line logged and echoed, over real sockets.

Protocol: lines of UTF-8 text ending in "\\n"; every line comes back as it was sent.  Log:
"<{addr}>: {line}" per line, "客户端{addr}退出" when a client leaves.  The server's process is
looked at from outside (psutil): its threads while clients are connected, its threads and
descriptors after they left.
"""
import socket
from contextlib import ExitStack

from grader.feedback import check, fail
from grader.net import reset, send_in_fragments, wait_consumed
from kit.lines import (
    HOST,
    SETTLE,
    LineReader,
    clients_at_once,
    connect,
    count,
    echo_line,
    fd_kinds,
    log_has,
    main_process,
    output_tail,
    restart_on_same_port,
    same,
    settle,
    shown,
    wait_output,
)

LONG = "多线程服务器 ✓ " * 200  # longer than one recv(1024), cut inside characters
STREAM_HINT = dict(
    hint_zh="TCP 是字节流：一次 recv 可能只收到半行，也可能收到好几行。把收到的字节攒在缓冲区里，每遇到一个 \\n 处理一行。",
    hint_en="TCP is a byte stream: one recv may hold half a line or several lines. Keep the bytes in a buffer and "
            "handle one line per \\n found.",
)
BUFFER_HINT = dict(
    hint_zh="每个客户端要有自己的缓冲区：在 handle_client 里定义 buffer = b\"\"（局部变量），不要用全局变量或类属性让所有线程共用一个。",
    hint_en="Every client needs a buffer of its own: buffer = b\"\" as a local variable of handle_client, not a global "
            "or class attribute that all threads share.",
)
CONCURRENT_HINT = dict(
    hint_zh="accept 之后为每个客户端启动一个 threading.Thread(target=handle_client, args=(conn, addr))，主线程立刻回去 accept。",
    hint_en="After accept, start a threading.Thread(target=handle_client, args=(conn, addr)) per client and go "
            "straight back to accept.",
)


def addr_of(sock) -> str:
    return str(sock.getsockname())  # how the server prints the tuple accept() returned


def served_once(srv):
    """One client comes, is echoed, and leaves; then wait until its thread is gone."""
    with connect(srv) as sock:
        same(srv, echo_line(srv, sock, LineReader(sock), "warm-up"), b"warm-up", "客户端没有收到回显。",
             "The client got no echo.", sent="warm-up\\n")


def baseline(srv) -> tuple[int, int]:
    """(threads, fds) of the idle server after one client came and left."""
    idle = count(srv, "threads")
    served_once(srv)
    return settle(srv, "threads", idle), count(srv, "fds")


# -- checks -------------------------------------------------------------------------------
def test_echoes_lines(learner):
    with learner.server("mt_server:serve", HOST, 0) as srv, connect(srv) as sock:
        reader = LineReader(sock)
        for text in ["hello", "你好，服务器！", LONG, "bye"]:
            same(srv, echo_line(srv, sock, reader, text), text.encode(),
                 "服务器应把收到的每一行原样发回（UTF-8，以 \\n 结尾）。",
                 "The server must send every line back as it came (UTF-8, ending in \\n).",
                 sent=shown(text + "\n"), **STREAM_HINT)


def test_logs_messages_and_exit(learner):
    with learner.server("mt_server:serve", HOST, 0) as srv:
        with connect(srv) as sock:
            addr = addr_of(sock)
            reader = LineReader(sock)
            for text in ["hello", "你好"]:
                echo_line(srv, sock, reader, text)
        wanted = [f"<{addr}>: hello", f"<{addr}>: 你好", f"客户端{addr}退出"]
        wait_output(srv, log_has(wanted), "服务器打印的日志不对：应依次打印每一行消息和客户端退出。",
                    "The server's log is wrong: it must print each line received, then the client's exit, in order.",
                    sent="hello\\n, 你好\\n, then close", expected="\n".join(wanted),
                    hint_zh="每行 print(f\"<{addr}>: {文本}\", flush=True)；recv 返回 b\"\" 时 print(f\"客户端{addr}退出\", flush=True)。",
                    hint_en="Per line print(f\"<{addr}>: {text}\", flush=True); when recv returns b\"\", "
                            "print(f\"客户端{addr}退出\", flush=True).")


def test_reads_fragmented_lines(learner):
    data = "你好，服务器！\n".encode()
    parts = [data[:4], data[4:11], data[11:]]  # cuts through UTF-8 characters on purpose
    with learner.server("mt_server:serve", HOST, 0) as srv, connect(srv) as sock:
        addr = addr_of(sock)
        reader = LineReader(sock)
        send_in_fragments(sock, parts, srv.timeout)  # each part only after the server read the last
        sent = " + ".join(repr(p) for p in parts)
        same(srv, reader.line(srv.timeout), "你好，服务器！".encode(),
             "一行分三段到达时，服务器应在收到 \\n 之后把整行发回一次。",
             "When a line arrives in three pieces, the server must send the whole line back once, after the \\n.",
             sent=sent, **STREAM_HINT)
        sock.sendall(b"one\ntwo\n")  # and two lines in one send
        same(srv, reader.lines(2, srv.timeout), [b"one", b"two"], "一次发来两行时，服务器应分别发回这两行。",
             "When two lines arrive in one send, the server must send back both lines.", sent="one\\ntwo\\n",
             **STREAM_HINT)
        wanted = [f"<{addr}>: 你好，服务器！", f"<{addr}>: one", f"<{addr}>: two"]
        wait_output(srv, log_has(wanted), "分段到达的一行、一次到达的两行，都应各打印一行完整的日志。",
                    "A line that arrived in pieces, and two lines that arrived together, must each be logged once, whole.",
                    sent=f"{sent}, then b'one\\ntwo\\n'", expected="\n".join(wanted), **STREAM_HINT)


def test_echoes_large_line(learner):
    text = "大消息 ✓ " * 4681  # 65 534 bytes of UTF-8 and the \n: 64 KiB, sent with one sendall
    with learner.server("mt_server:serve", HOST, 0) as srv, connect(srv) as sock:
        got = echo_line(srv, sock, LineReader(sock), text)
        if got != text.encode():
            fail("一次发来的 64 KiB 长行没有被完整、原样地发回。", "A 64 KiB line sent at once was not sent back whole and unchanged.",
                 sent=shown(text + "\n"), expected=shown(text.encode() + b"\n"),
                 got=shown(got + b"\n") if got is not None else "(连接被关闭 / connection closed)",
                 hint_zh="攒够一整行（到 \\n）再处理；发回字节，不要对每一块分别 decode（会把汉字切断）。",
                 hint_en="Collect a whole line (up to \\n) before handling it; send bytes back, do not decode each "
                         "chunk on its own (that cuts characters apart).", details=output_tail(srv))


def test_half_line_kept_per_client(learner):
    """Client A sends half a line and the server has read it; client B then sends a whole line:
    B gets exactly its own line back (nothing of A's in it), and A, once it completes its line,
    gets exactly its own."""
    half, rest, other = "半行 / half a li", "ne", "另一个客户端 / another client"
    with learner.server("mt_server:serve", HOST, 0) as srv, ExitStack() as stack:
        a = stack.enter_context(connect(srv))
        a.sendall(half.encode())
        if not wait_consumed(a, srv.timeout):
            fail("服务器没有读取客户端 A 发来的半行。", "The server did not read client A's half line.", sent=shown(half),
                 details=output_tail(srv))
        b = stack.enter_context(connect(srv))
        same(srv, echo_line(srv, b, LineReader(b), other), other.encode(),
             "客户端 A 只发了半行时，客户端 B 的回显应正好是 B 自己的那一行。",
             "While client A had sent only half a line, client B's echo must be exactly B's own line.",
             sent=f"A: {shown(half)} (no \\n); B: {shown(other)}\\n", **BUFFER_HINT)
        a.sendall((rest + "\n").encode())
        same(srv, LineReader(a).line(srv.timeout), (half + rest).encode(),
             "客户端 A 分两次发完的一行应原样发回给 A。", "Client A's line, sent in two parts, must come back to A unchanged.",
             sent=f"A: {shown(half)} + {shown(rest)}\\n (B spoke in between)", **BUFFER_HINT)


def test_serves_clients_concurrently(learner):
    with learner.server("mt_server:serve", HOST, 0) as srv, ExitStack() as stack:
        socks, readers = clients_at_once(srv, 5, stack, **CONCURRENT_HINT)
        for i in reversed(range(len(socks))):  # and again, the last first, all still connected
            line = f"再来一次 / again {i + 1}"
            same(srv, echo_line(srv, socks[i], readers[i], line), line.encode(),
                 f"5 个客户端都连着时，第 {i + 1} 个客户端第二次的回显不对。",
                 f"With 5 clients connected, client {i + 1}'s second echo is wrong.", sent=line + "\\n")


def test_one_thread_per_client(learner):
    with learner.server("mt_server:serve", HOST, 0) as srv:
        idle, _ = baseline(srv)
        with ExitStack() as stack:
            clients_at_once(srv, 3, stack, **CONCURRENT_HINT)
            busy = count(srv, "threads")
            _, kids = srv.processes()
            kids = [k.pid for k in kids if k.is_running()]
        check(not kids, "服务器启动了子进程：本题要求用线程（threading.Thread），不是进程。",
              "The server started child processes: this exercise wants threads (threading.Thread), not processes.",
              got=f"child pids {kids}", **CONCURRENT_HINT)
        check(busy >= idle + 3, f"3 个客户端都连着时，服务器应至少有 {idle + 3} 个线程（空闲时 {idle} 个，每个客户端再加一个）。",
              f"While 3 clients are connected, the server must have at least {idle + 3} threads ({idle} when idle, "
              "plus one per client).", expected=f">= {idle + 3}", got=busy, **CONCURRENT_HINT)


def test_closes_connection_when_client_leaves(learner):
    with learner.server("mt_server:serve", HOST, 0) as srv, connect(srv) as sock:
        reader = LineReader(sock)
        same(srv, echo_line(srv, sock, reader, "last words"), b"last words", "客户端没有收到回显。", "The client got no echo.",
             sent="last words\\n")
        sock.shutdown(socket.SHUT_WR)  # "I am done sending": the server should close its side
        try:
            rest = reader.line(srv.timeout)
        except TimeoutError:
            rest = "(等待超时 / timed out)"
        check(rest is None, f"客户端关闭发送方向后，{srv.timeout:g} 秒内没有读到服务器关闭连接（EOF）。",
              f"After the client shut down its sending side, it did not read the server closing the connection (EOF) "
              f"within {srv.timeout:g} s.", got=shown(rest) if isinstance(rest, bytes) else rest,
              hint_zh="recv 返回 b\"\" 时要跳出循环并 conn.close()（用 with conn: 最稳妥），也不要把 conn 存到别处。",
              hint_en="When recv returns b\"\", leave the loop and conn.close() (with conn: is safest), and keep no "
                      "other reference to conn.")


def test_survives_client_reset(learner):
    with learner.server("mt_server:serve", HOST, 0) as srv:
        with connect(srv) as victim:
            addr = addr_of(victim)
            same(srv, echo_line(srv, victim, LineReader(victim), "about to crash"), b"about to crash",
                 "客户端没有收到回显。", "The client got no echo.", sent="about to crash\\n")
            reset(victim)  # RST instead of FIN, as a crashing client would
        wait_output(srv, log_has([f"客户端{addr}退出"]), "客户端异常断开（RST）后，服务器应同样打印它的退出消息。",
                    "After a client reset its connection, the server must log its exit like any other.",
                    expected=f"客户端{addr}退出",
                    hint_zh="recv 可能抛出 ConnectionResetError：捕获它，当作客户端离开（打印退出消息、关闭 conn）。",
                    hint_en="recv may raise ConnectionResetError: catch it and treat it as the client leaving (log the "
                            "exit, close conn).")
        with connect(srv) as fresh:
            got = echo_line(srv, fresh, LineReader(fresh), "still there?")
        same(srv, got, b"still there?", "一个客户端异常断开之后，新客户端没有得到回显。",
             "After one client reset its connection, a new client got no echo.", sent="still there?\\n")


def test_threads_back_to_baseline(learner):
    with learner.server("mt_server:serve", HOST, 0) as srv:
        idle, _ = baseline(srv)
        with ExitStack() as stack:
            clients_at_once(srv, 3, stack, **CONCURRENT_HINT)
        now = settle(srv, "threads", idle)
        if now > idle:
            fail(f"3 个客户端离开 {SETTLE:g} 秒后，服务器的线程数是 {now}，空闲时是 {idle}：有线程没有结束。",
                 f"{SETTLE:g} s after 3 clients left, the server has {now} threads instead of {idle}: some threads "
                 "never ended.", expected=f"<= {idle}", got=now, details=thread_stacks(srv),
                 hint_zh="recv 返回 b\"\"（客户端关闭）时，handle_client 要跳出循环并返回，线程才会结束。",
                 hint_en="When recv returns b\"\" (the client closed), handle_client must leave its loop and return, "
                         "so that the thread ends.")


def test_fds_back_to_baseline(learner):
    with learner.server("mt_server:serve", HOST, 0) as srv:
        idle_threads, idle = baseline(srv)
        before = fd_kinds(main_process(srv).pid)
        with ExitStack() as stack:
            clients_at_once(srv, 3, stack, **CONCURRENT_HINT)
        settle(srv, "threads", idle_threads)
        now = settle(srv, "fds", idle)
        check(now <= idle, f"3 个客户端离开 {SETTLE:g} 秒后，服务器打开的文件描述符从 {idle} 个变成了 {now} 个。",
              f"{SETTLE:g} s after 3 clients left, the server has {now} open file descriptors instead of {idle}.",
              expected=f"<= {idle} {before}", got=f"{now} {fd_kinds(main_process(srv).pid)}",
              hint_zh="客户端离开后要 conn.close()；不要把客户端套接字存进列表之类的地方不删。",
              hint_en="conn.close() once the client has left; do not keep client sockets in a list (or anywhere) "
                      "after that.")


def test_restarts_on_same_port(learner):
    """The server is stopped while a client is still connected (the server's side of that
    connection stays bound to the port, in FIN_WAIT2 or TIME_WAIT), then a new server starts on
    the same port at once: bind succeeds only with SO_REUSEADDR set before it."""
    with ExitStack() as stack:
        with learner.server("mt_server:serve", HOST, 0) as first:
            sock = stack.enter_context(connect(first))
            same(first, echo_line(first, sock, LineReader(sock), "before restart"), b"before restart",
                 "客户端没有收到回显。", "The client got no echo.", sent="before restart\\n")
            port = first.port
        second = restart_on_same_port(learner, "mt_server:serve", port)
        with second, connect(second) as fresh:
            same(second, echo_line(second, fresh, LineReader(fresh), "after restart"), b"after restart",
                 "在同一端口重启的服务器没有回显。", "The server restarted on the same port did not echo.",
                 sent="after restart\\n")


def thread_stacks(srv) -> str:
    """Where each of the server's threads is (the process goes on running)."""
    return "服务器各线程所在位置 / where the server's threads are:\n" + srv.stacks()[-3000:]


def test_logs_reach_a_pipe_at_once(learner):
    """With the server's stdout a block-buffered pipe (not a terminal): a line's log appears while
    its client is connected, and the client's exit line once it has left, while the server runs."""
    hint = dict(hint_zh="print(..., flush=True)：输出进了管道，不刷新就会留在缓冲区里。",
                hint_en="print(..., flush=True): the output goes into a pipe, and without a flush it stays in the buffer.")
    with learner.server("serve_piped", HOST, 0) as srv:
        with connect(srv) as sock:
            addr = addr_of(sock)
            same(srv, echo_line(srv, sock, LineReader(sock), "你好"), "你好".encode(), "客户端没有收到回显。",
                 "The client got no echo.", sent="你好\\n")
            line = f"<{addr}>: 你好"
            seen = srv.stdout.wait_for(lambda text: line in text, srv.timeout)
            check(seen, f"服务器的输出是管道（不是终端）时，客户端还连着，{srv.timeout:g} 秒内没有看到这一行的日志。",
                  f"With the server's output going to a pipe (not a terminal), the log of a line did not appear within "
                  f"{srv.timeout:g} s while its client was still connected.", sent="你好\\n", expected=line,
                  got=srv.stdout.text()[-1000:] or "(没有输出 / no output)", **hint)
        line = f"客户端{addr}退出"
        seen = srv.stdout.wait_for(lambda text: line in text, srv.timeout)
        check(seen, f"服务器的输出是管道（不是终端）时，客户端离开后 {srv.timeout:g} 秒内没有看到它的退出消息。",
              f"With the server's output going to a pipe (not a terminal), the exit line of a client that left did not "
              f"appear within {srv.timeout:g} s.", expected=line, got=srv.stdout.text()[-1000:], **hint)
