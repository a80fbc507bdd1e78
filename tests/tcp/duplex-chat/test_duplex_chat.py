"""tcp/duplex-chat: a server and a client that send what is typed and print what arrives, at once.

Both are run as programs whose stdin the test types into, each facing a plain socket of the
test: the server's client, or the client's server.  Protocol: lines of UTF-8 text ending in
"\\n".  The server prints "<{addr}>: {text}" and "客户端已退出"; the client prints
"<ser>: {text}" and "服务器已退出".  Each program returns (the probe then reports how many
sockets it still has open) once its peer has closed the connection.
"""
import socket
from contextlib import ExitStack

from grader.feedback import check, fail
from grader.net import reset, send_in_fragments
from kit.lines import (
    HOST,
    LineReader,
    accept_from,
    listening,
    output_tail,
    received_so_far,
    restart_on_same_port,
    same,
    shown,
    wait_output,
    waiting_for_input,
)

THREAD_HINT = dict(
    hint_zh="一个线程专门 recv 并打印对方发来的每一行；另一个线程专门 input() 和发送。只用一个线程的话，它卡在 input() 上时"
            "什么也收不到。",
    hint_en="One thread only recv()s and prints every line the peer sends; another only does input() and sending. "
            "With a single thread, nothing is received while it waits in input().",
)
STREAM_HINT = dict(
    hint_zh="TCP 是字节流：一次 recv 可能只收到半行，也可能收到好几行。把收到的字节攒在缓冲区里，每遇到一个 \\n 打印一行。",
    hint_en="TCP is a byte stream: one recv may hold half a line or several lines. Keep the bytes in a buffer and "
            "print one line per \\n found.",
)
EXIT_HINT = dict(
    hint_zh="recv 返回 b\"\" 表示对方关闭了连接：打印退出消息，关闭套接字，函数返回。输入线程设为 daemon=True，不要 join 它"
            "（它还卡在 input() 上）。",
    hint_en="recv returning b\"\" means the peer closed the connection: print the exit line, close the socket, and "
            "return. Make the input thread daemon=True and do not join it (it is still waiting in input()).",
)


# -- the two sides, each facing a plain socket of the test -----------------------------------
class Side:
    """A learner program (server or client), the test's socket to it, and what the program
    prints before each line it received."""

    def __init__(self, prog, sock: socket.socket, label: str, gone: str):
        self.prog, self.sock, self.reader, self.label, self.gone = prog, sock, LineReader(sock), label, gone

    def shows(self, text: str, zh: str, en: str, **kw):
        line = f"{self.label}: {text}"
        # Not line + "\n": print() writes the text and its newline apart, and the other
        # thread's input() prompt may come between.
        wait_output(self.prog, lambda out: line in out, zh, en, expected=line, **kw)

    def typed_lines(self, count: int, sent: str) -> list[bytes]:
        try:
            return self.reader.lines(count, self.prog.timeout)
        except TimeoutError:
            fail("没有把输入的每一行发给对方（UTF-8，以 \\n 结尾）。",
                 "Not every line typed was sent to the other side (UTF-8, ending in \\n).", sent=sent,
                 got=received_so_far(self.reader), details=output_tail(self.prog),
                 hint_zh="sendall((输入的一行 + \"\\n\").encode())。", hint_en="sendall((line_typed + \"\\n\").encode()).")


def server_side(learner, stack, function: str = "serve") -> Side:
    srv = stack.enter_context(learner.server(function, HOST, 0, stdin="pipe"))
    sock = stack.enter_context(srv.connect())
    return Side(srv, sock, f"<{sock.getsockname()}>", "客户端已退出")


def client_side(learner, stack, function: str = "client") -> Side:
    listener = stack.enter_context(listening())
    prog = stack.enter_context(learner.program(function, *listener.getsockname()))
    return Side(prog, stack.enter_context(accept_from(prog, listener)), "<ser>", "服务器已退出")


SIDES = {"server": server_side, "client": client_side}
NAMES = {"server": ("服务器", "server"), "client": ("客户端", "client")}


# -- the same checks for both sides ----------------------------------------------------------
def shows_message_without_typing(learner, which):
    zh, en = NAMES[which]
    with ExitStack() as stack:
        side = SIDES[which](learner, stack)
        side.sock.sendall("你好，我先说 / hello, me first\n".encode())  # nothing typed: it waits in input()
        side.shows("你好，我先说 / hello, me first", f"{zh}在等待输入时，没有打印对方发来的消息。",
                   f"While the {en} was waiting for input, it did not print the line the other side sent.",
                   sent="你好，我先说 / hello, me first\\n（什么也没有输入 / nothing typed）", **THREAD_HINT)
        side.sock.sendall(b"and again\n")
        side.shows("and again", f"{zh}应打印对方发来的每一行。", f"The {en} must print every line the other side sends.",
                   sent="and again\\n", **THREAD_HINT)


def sends_typed_lines(learner, which):
    zh, en = NAMES[which]
    with ExitStack() as stack:
        side = SIDES[which](learner, stack)
        typed = ["hello", "第二行 / second line", ""]
        for text in typed:
            side.prog.type_line(text)
        got = side.typed_lines(len(typed), " , ".join(typed))
        same(side.prog, got, [t.encode() for t in typed], f"{zh}发给对方的内容不对：每输入一行（空行也算），发送这一行加 \\n。",
             f"The {en} sent the wrong bytes: for every line typed (empty ones too), send the line and \\n.",
             sent="键入 / typed: " + " , ".join(repr(t) for t in typed))
        side.sock.sendall(b"got it\n")  # and it still receives while typing goes on
        side.shows("got it", f"{zh}应打印对方发来的每一行。", f"The {en} must print every line the other side sends.",
                   sent="got it\\n", **THREAD_HINT)
        side.prog.type_line("after")
        same(side.prog, side.typed_lines(1, "after"), [b"after"], f"{zh}没有发送之后输入的一行。",
             f"The {en} did not send the next line typed.", sent="after")


def prints_lines_whole(learner, which):
    zh, en = NAMES[which]
    with ExitStack() as stack:
        side = SIDES[which](learner, stack)
        data = "你好，世界！\n".encode()
        parts = [data[:4], data[4:11], data[11:]]  # cuts through UTF-8 characters on purpose
        send_in_fragments(side.sock, parts, side.prog.timeout)
        side.shows("你好，世界！", f"对方的一行分三段到达时，{zh}应把整行打印一次。",
                   f"When a line from the other side arrives in three pieces, the {en} must print it once, whole.",
                   sent=" + ".join(repr(p) for p in parts), **STREAM_HINT)
        side.sock.sendall(b"one\ntwo\n")
        for text in ("one", "two"):
            side.shows(text, f"对方一次发来两行时，{zh}应分别打印。", f"When two lines arrive in one send, the {en} must print each.",
                       sent="one\\ntwo\\n", **STREAM_HINT)
        big = "长消息 ✓ " * 2500  # 35 KB sent at once: more than one recv(1024)
        side.sock.sendall(big.encode() + b"\n")
        side.shows(big, f"对方一次发来 35 KB 的一行时，{zh}应把整行打印一次。",
                   f"When the other side sends a 35 KB line at once, the {en} must print it once, whole.",
                   sent=shown(big + "\n"), **STREAM_HINT)


def second_connection(srv) -> str | None:
    """Connect to the server's port once more while it chats with its one client: None if
    refused (its listening socket is closed), else what happened."""
    try:
        extra = socket.create_connection(srv.address, timeout=srv.timeout)
    except ConnectionRefusedError:
        return None
    except OSError as exc:
        return f"{type(exc).__name__}: {exc}"
    extra.close()
    return "连接成功（内核替监听套接字完成了握手）/ connected (the kernel completed the handshake for the listening socket)"


def notices_peer_exit(learner, which, ends=True):
    """The other side says bye and closes; the learner's function returns.  Returns the
    probe's record {"sockets", "non_daemon"}, and for the server also "second_connection"
    (a connect made while it chatted: None when refused)."""
    zh, en = NAMES[which]
    other_zh, other_en = NAMES["client" if which == "server" else "server"]
    second = None
    with ExitStack() as stack:
        side = SIDES[which](learner, stack)
        side.sock.sendall(b"bye\n")
        side.shows("bye", f"{zh}应打印对方发来的每一行。", f"The {en} must print every line the other side sends.", sent="bye\\n")
        if which == "server":  # it printed a line, so it accepted its client and is chatting now
            second = second_connection(side.prog)
        side.sock.close()  # the other side leaves; nothing is typed
        wait_output(side.prog, lambda out: side.gone in out, f"{other_zh}关闭连接后，{zh}应打印 {side.gone}。",
                    f"Once the {other_en} closed the connection, the {en} must print {side.gone}.", expected=side.gone,
                    sent=f"{other_en} closes the connection", **EXIT_HINT)
        got = side.prog.wait_exit(f"{other_zh}关闭连接后，{zh}应结束（函数返回），不需要再输入什么。",
                                  f"Once the {other_en} closed the connection, the {en} must end (its function return) "
                                  "without anything more being typed.", sent=f"{other_en} closes the connection",
                                  **EXIT_HINT)
    if ends:
        threads = ", ".join(got["non_daemon"])
        check(not got["non_daemon"], f"{zh}的函数返回时，还有不是 daemon 的线程在运行（{threads}）：作为程序运行时，"
              "它卡在 input() 上，进程就一直不能结束。",
              f"When the {en}'s function returned, threads that are not daemons were still running ({threads}): run as a "
              "program, the process cannot end while such a thread waits in input().",
              sent=f"{other_en} closes the connection; stdin stays open, nothing typed",
              expected="只剩 daemon 线程 / only daemon threads left", got=threads,
              hint_zh="输入线程要设为 daemon：threading.Thread(target=send_typed, args=(...), daemon=True)。",
              hint_en="Make the input thread a daemon: threading.Thread(target=send_typed, args=(...), daemon=True).")
    return dict(got, second_connection=second)


def closes_sockets(learner, which):
    zh, en = NAMES[which]
    got = notices_peer_exit(learner, which, ends=False)
    if which == "server":
        check(got["second_connection"] is None, "服务器接受了一个客户端、正在聊天时，另一个连接仍然能连上：accept 之后应关闭监听套接字。",
              "While the server chatted with the client it had accepted, a second connection still got through: close the "
              "listening socket right after accept.",
              sent="第一个客户端连上并收到一行之后，再连接一次服务器的端口 / once the first client was accepted and had a line "
                   "printed, a second connect to the server's port",
              expected="ConnectionRefusedError（监听套接字已关闭 / the listening socket is closed）",
              got=got["second_connection"],
              hint_zh="conn, addr = server.accept() 之后立即 server.close()，再开始聊天。",
              hint_en="Call server.close() right after conn, addr = server.accept(), before the chat starts.")
    left = got["sockets"]
    check(left == 0, f"{zh}的函数返回时还有 {left} 个套接字没有关闭。", f"When the {en}'s function returned, {left} sockets were still open.",
          expected=0, got=left,
          hint_zh="返回前关闭所有套接字（服务器：监听套接字和客户端套接字）；输入线程还拿着套接字，不会自动关闭。",
          hint_en="Close every socket before returning (server: the listening socket and the client's); the input thread "
                  "still holds the socket, so it is not closed for you.")


def keeps_listening_after_stdin_ends(learner, which):
    zh, en = NAMES[which]
    other_zh, other_en = NAMES["client" if which == "server" else "server"]
    with ExitStack() as stack:
        side = SIDES[which](learner, stack)
        side.prog.type_line("last")
        same(side.prog, side.typed_lines(1, "last"), [b"last"], f"{zh}没有发送输入的一行。", f"The {en} did not send the line typed.",
             sent="last")
        side.prog.close_stdin()  # Ctrl-D
        try:
            rest = side.reader.line(side.prog.timeout)
        except TimeoutError:
            rest = b"(timeout)"
        if rest is not None:
            fail(f"输入结束（EOF）后，{zh}应关闭发送方向（shutdown(SHUT_WR)），对方读到 EOF。",
                 f"At the end of input (EOF), the {en} must shut down its sending side (shutdown(SHUT_WR)) so that the "
                 "other side reads EOF.", sent="Ctrl-D (EOF)", expected="EOF", got=shown(rest), details=output_tail(side.prog),
                 hint_zh="input() 抛出 EOFError 时：sock.shutdown(socket.SHUT_WR)，接收线程继续工作。",
                 hint_en="When input() raises EOFError: sock.shutdown(socket.SHUT_WR); the receiving thread goes on.")
        try:
            side.sock.sendall("还有一句 / one more thing\n".encode())
        except OSError:
            pass  # it closed the whole connection: reported below
        side.shows("还有一句 / one more thing", f"只是输入结束了，{zh}仍应打印对方之后发来的消息。",
                   f"Only the input ended: the {en} must still print what the other side sends afterwards.",
                   sent="Ctrl-D, then 还有一句 / one more thing\\n",
                   hint_zh="输入结束时只关闭发送方向（shutdown(SHUT_WR)），不要 close() 整个套接字；等对方关闭连接再结束。",
                   hint_en="At the end of input shut down only the sending side (shutdown(SHUT_WR)), do not close() the "
                           "socket; end once the other side closes the connection.")
        side.sock.close()
        side.prog.wait_exit(f"{other_zh}关闭连接后，{zh}应结束。", f"Once the {other_en} closed the connection, the {en} must end.",
                            **EXIT_HINT)


def notices_peer_reset(learner, which):
    """The other side resets the connection (RST, as a crashing program would): recv raises
    ConnectionResetError, which means the other side has gone too; the learner's function
    prints its exit line, closes its sockets and returns."""
    zh, en = NAMES[which]
    other_zh, other_en = NAMES["client" if which == "server" else "server"]
    sent = f"bye\\n，然后{other_zh}重置连接（RST）/ bye\\n, then the {other_en} resets the connection (RST)"
    hint = dict(hint_zh="对方异常断开时 recv 会抛出 ConnectionResetError（OSError 的子类）：这也表示对方已经离开，"
                        "和 recv 返回 b\"\" 一样处理：打印退出消息，关闭套接字，返回。",
                hint_en="When the other side drops the connection, recv raises ConnectionResetError (an OSError): that "
                        "means it has gone as well; handle it as recv returning b\"\": print the exit line, close the "
                        "socket, return.")
    with ExitStack() as stack:
        side = SIDES[which](learner, stack)
        side.sock.sendall(b"bye\n")
        side.shows("bye", f"{zh}应打印对方发来的每一行。", f"The {en} must print every line the other side sends.", sent="bye\\n")
        reset(side.sock)
        wait_output(side.prog, lambda out: side.gone in out, f"{other_zh}重置连接（RST）后，{zh}应打印 {side.gone}。",
                    f"Once the {other_en} reset the connection (RST), the {en} must print {side.gone}.", expected=side.gone,
                    sent=sent, **hint)
        got = side.prog.wait_exit(f"{other_zh}重置连接（RST）后，{zh}应结束（函数返回）。",
                                  f"Once the {other_en} reset the connection (RST), the {en} must end (its function "
                                  "return).", sent=sent, **hint)
    left = got["sockets"]
    check(left == 0, f"{other_zh}重置连接后，{zh}的函数返回时还有 {left} 个套接字没有关闭。",
          f"After the {other_en} reset the connection, the {en}'s function returned with {left} sockets still open.",
          sent=sent, expected=0, got=left, **hint)


def prints_to_a_pipe_at_once(learner, which):
    """With the program's stdout a block-buffered pipe (not a terminal): a line from the other
    side is printed at once while the program waits in input() (which flushed its prompt earlier)."""
    zh, en = NAMES[which]
    with ExitStack() as stack:
        side = SIDES[which](learner, stack, f"{'serve' if which == 'server' else 'client'}_piped")
        waiting_for_input(side.prog, side.prog.timeout)  # past input()'s flush of its prompt: nothing else flushes now
        side.sock.sendall("管道 / pipe\n".encode())  # nothing typed: it waits in input()
        side.shows("管道 / pipe", f"{zh}的输出是管道（不是终端）时，等待输入期间没有立刻打印对方发来的消息。",
                   f"With the {en}'s output going to a pipe (not a terminal), a line from the other side was not printed "
                   "at once while it waited for input.", sent="管道 / pipe\\n（什么也没有输入 / nothing typed）",
                   hint_zh="打印收到的行之后再打印提示符时用 flush=True（或者打印这一行时就 flush=True）：输出进了管道，不刷新就会留在缓冲区里。",
                   hint_en="Print the prompt after a received line with flush=True (or flush the line itself): the output "
                           "goes into a pipe, and without a flush it stays in the buffer.")


# -- checks --------------------------------------------------------------------------------
def test_server_shows_message_without_typing(learner):
    shows_message_without_typing(learner, "server")


def test_server_sends_typed_lines(learner):
    sends_typed_lines(learner, "server")


def test_server_prints_lines_whole(learner):
    prints_lines_whole(learner, "server")


def test_server_notices_client_exit(learner):
    notices_peer_exit(learner, "server")


def test_server_closes_sockets(learner):
    closes_sockets(learner, "server")


def test_server_keeps_listening_after_stdin_ends(learner):
    keeps_listening_after_stdin_ends(learner, "server")


def test_server_notices_client_reset(learner):
    notices_peer_reset(learner, "server")


def test_server_prints_to_a_pipe_at_once(learner):
    prints_to_a_pipe_at_once(learner, "server")


def test_server_restarts_on_same_port(learner):
    """The server is stopped while its client is still connected (the server's side of that
    connection stays bound to the port, in FIN_WAIT2 or TIME_WAIT), then a new server starts on
    the same port at once: bind succeeds only with SO_REUSEADDR set before it."""
    with ExitStack() as stack:
        side = server_side(learner, stack)
        side.sock.sendall(b"before restart\n")
        side.shows("before restart", "服务器应打印对方发来的每一行。", "The server must print every line the other side sends.",
                   sent="before restart\\n")
        port = side.prog.port
        side.prog.close()  # stopped while the client is connected
        second = restart_on_same_port(learner, "serve", port, stdin="pipe", who=("它的客户端还连着", "its client"))
        srv = stack.enter_context(second)
        fresh = stack.enter_context(srv.connect())
        again = Side(srv, fresh, f"<{fresh.getsockname()}>", "客户端已退出")
        fresh.sendall(b"after restart\n")
        again.shows("after restart", "在同一端口重启的服务器没有打印客户端发来的行。",
                    "The server restarted on the same port did not print the line its client sent.", sent="after restart\\n")


def test_client_shows_message_without_typing(learner):
    shows_message_without_typing(learner, "client")


def test_client_sends_typed_lines(learner):
    sends_typed_lines(learner, "client")


def test_client_prints_lines_whole(learner):
    prints_lines_whole(learner, "client")


def test_client_notices_server_exit(learner):
    notices_peer_exit(learner, "client")


def test_client_closes_socket(learner):
    closes_sockets(learner, "client")


def test_client_keeps_listening_after_stdin_ends(learner):
    keeps_listening_after_stdin_ends(learner, "client")


def test_client_notices_server_reset(learner):
    notices_peer_reset(learner, "client")


def test_client_prints_to_a_pipe_at_once(learner):
    prints_to_a_pipe_at_once(learner, "client")
