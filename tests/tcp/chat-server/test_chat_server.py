"""tcp/chat-server: a line-based chat room over real loopback sockets.

Protocol (UTF-8 lines ending in "\\n"): a client's first line is its nickname; the newcomer
gets "*** 欢迎 {nick}，当前在线 {n} 人", the others "*** {nick} 加入了聊天室"; each later line
"text" reaches every other user as "{nick}: text"; on leaving, the others get
"*** {nick} 离开了聊天室".  The tests synchronise on these lines: a user's next line is read
only once something has been sent that must produce it.
"""
import re
import socket
import threading
from contextlib import ExitStack

from grader.feedback import LearnerFailure, check, fail
from grader.net import reset, send_in_fragments, wait_consumed
from kit.lines import (
    HOST,
    SETTLE,
    LineReader,
    connect,
    count,
    fd_kinds,
    main_process,
    readable,
    restart_on_same_port,
    settle,
    shown,
)

SLOW_RCVBUF = 4096  # the slow reader's receive buffer: it fills at once
FLOOD_LINE = ("洪水 ✓ " * 5000).encode()  # about 59 KiB per line
FLOOD_LINES = 110  # about 6.5 MB: more than any socket send buffer (tcp_wmem max 4 MB) plus the slow reader's

RELAY_HINT = dict(
    hint_zh="每个用户一个线程读它的行；每读到一行，就发给列表里除了发送者以外的每个用户：\"{昵称}: {文本}\\n\"。",
    hint_en="One thread per user reads its lines; for each line, send \"{nick}: {text}\\n\" to every user in the "
            "list except the sender.",
)
STREAM_HINT = dict(
    hint_zh="TCP 是字节流：一次 recv 可能只收到半行，也可能收到好几行。把收到的字节攒在缓冲区里，每遇到一个 \\n 处理一行。",
    hint_en="TCP is a byte stream: one recv may hold half a line or several lines. Keep the bytes in a buffer and "
            "handle one line per \\n found.",
)

BUFFER_HINT = dict(
    hint_zh="每个用户要有自己的缓冲区：在读这个用户的函数里定义 buffer = b\"\"（局部变量），不要用全局变量让所有线程共用一个。",
    hint_en="Every user needs a buffer of its own: buffer = b\"\" as a local variable of the function that reads that "
            "user, not a global that all threads share.",
)


class User:
    """One chat client of the test: its socket, its line reader, its nickname."""

    def __init__(self, srv, nick: str, sock: socket.socket, unseen: str | None = None):
        self.srv, self.nick, self.sock, self.reader = srv, nick, sock, LineReader(sock)
        # ``unseen``: the user who joined the room alone. No one could read its join line,
        # so the test cannot know that the server had finished telling "everyone else" about
        # it before this user was added: that one line may reach this user, once, and is
        # skipped. Any other join line is still wrong.
        self.stale = {f"*** {unseen} 加入了聊天室"} if unseen else set()

    def say(self, text: str):
        self.sock.sendall(text.encode() + b"\n")

    def own(self, line: str) -> bool:
        """A line about this user itself: its own words or its own join, which the server must
        not send back.  Only the checks about exactly that look at them (strict reading);
        the others skip them, so that one such bug fails one check, not all."""
        return line.startswith(f"{self.nick}: ") or line == f"*** {self.nick} 加入了聊天室"

    def poll(self, timeout: float) -> str | None:
        """The next line that is not about this user itself; None once the server closed;
        "(timeout)" if none came in time."""
        while True:
            try:
                line = self.reader.line(timeout)
            except TimeoutError:
                return "(timeout)"
            if line is None:
                return None
            text = line.decode("utf-8", "replace")
            if text in self.stale:
                self.stale.discard(text)
            elif not self.own(text):
                return text

    def next_line(self, why_zh: str, why_en: str, sent: str | None = None, strict: bool = False) -> str:
        """The next line this user receives; a failure (not a hang) if none comes."""
        while True:
            try:
                line = self.reader.line(self.srv.timeout)
            except TimeoutError:
                fail(f"{self.nick} 在 {self.srv.timeout:g} 秒内没有收到下一行：{why_zh}",
                     f"{self.nick} received no next line within {self.srv.timeout:g} s: {why_en}", sent=sent)
            if line is None:
                fail(f"服务器关闭了 {self.nick} 的连接：{why_zh}", f"The server closed {self.nick}'s connection: {why_en}",
                     sent=sent, got=f"EOF {self.reader.error or ''}".strip())
            text = line.decode("utf-8", "replace")
            if text in self.stale:
                self.stale.discard(text)
            elif strict or not self.own(text):
                return text

    def expect(self, want: str, zh: str, en: str, sent: str | None = None, strict: bool = False, **kw):
        got = self.next_line(zh, en, sent, strict)
        if got != want:
            raise LearnerFailure(f"{self.nick} 收到的下一行不对：{zh}", f"{self.nick}'s next line is wrong: {en}",
                                 sent=sent, expected=shown(want), got=shown(got), **kw)


WELCOME = re.compile(r"\*\*\* 欢迎 (?P<nick>.*)，当前在线 (?P<online>\d+) 人")


def welcome(nick: str, online) -> str:
    return f"*** 欢迎 {nick}，当前在线 {online} 人"


def join(srv, stack, nick: str, online: int | None = None, rcvbuf: int | None = None,
         unseen: str | None = None) -> User:
    """Connect, send the nickname, read the welcome (the first line a newcomer gets); its
    count of users online is checked only where that is the point (``online``)."""
    user = User(srv, nick, stack.enter_context(connect(srv, rcvbuf=rcvbuf)), unseen)
    user.say(nick)
    got = user.next_line("新用户收到的第一行应是欢迎消息。", "A newcomer's first line must be the welcome.", nick + "\\n",
                         strict=True)
    match = WELCOME.fullmatch(got)
    if match is None or match["nick"] != nick or (online is not None and int(match["online"]) != online):
        fail(f"{nick} 收到的第一行应是欢迎消息（人数包括自己，离开的用户不算）。",
             f"{nick}'s first line must be the welcome (the count includes the newcomer, not users who left).",
             sent=nick + "\\n", expected=welcome(nick, online if online is not None else "<n>"), got=shown(got),
             hint_zh="把用户加入列表之后，先给他发 \"*** 欢迎 {昵称}，当前在线 {人数} 人\\n\"，再通知其他人；"
                     "用户离开时要把它从列表里删掉。",
             hint_en="After adding the user to the list, first send them \"*** 欢迎 {nick}，当前在线 {count} 人\\n\", "
                     "then tell the others; remove users from the list when they leave.")
    return user


def room(srv, stack, *nicks: str, strict: bool = False, alone: str | None = None) -> list[User]:
    """Users join one after another; everyone already in the room reads each join.
    ``alone``: a user already in the room who was alone there when it joined."""
    users = []
    unseen = alone  # the user who joined alone: no one could read its join line
    for nick in nicks:
        newcomer = join(srv, stack, nick, unseen=unseen)
        for user in users:
            user.expect(f"*** {nick} 加入了聊天室", f"有新用户 {nick} 加入时，其他人都应收到通知。",
                        f"When {nick} joins, everyone else must be told.", sent=f"{nick} 连接并发送 / connects and sends {nick}\\n",
                        hint_zh="通知除新用户以外的每个人：\"*** {昵称} 加入了聊天室\\n\"（新用户自己收到的是欢迎消息）。",
                        hint_en="Tell everyone but the newcomer: \"*** {nick} 加入了聊天室\\n\" (the newcomer gets the "
                                "welcome instead).", strict=strict)
        if not users and alone is None:
            unseen = nick
        users.append(newcomer)
    return users


def expect_leave(users, nick: str, sent: str):
    for user in users:
        user.expect(f"*** {nick} 离开了聊天室", f"{nick} 离开后，其他人都应收到通知。", f"After {nick} left, everyone else must be told.",
                    sent=sent, hint_zh="recv 返回 b\"\"（或 ConnectionResetError）时：把用户从列表里删掉，通知其他人，关闭连接。",
                    hint_en="When recv returns b\"\" (or raises ConnectionResetError): remove the user from the list, tell "
                            "the others, close the connection.")


# -- checks -------------------------------------------------------------------------------
def test_welcomes_each_user(learner):
    with learner.server("chat_server:serve", HOST, 0) as srv, ExitStack() as stack:
        join(srv, stack, "小明", online=1)
        join(srv, stack, "小红", online=2, unseen="小明")


def test_announces_join(learner):
    with learner.server("chat_server:serve", HOST, 0) as srv, ExitStack() as stack:
        alice, bob, carol = room(srv, stack, "alice", "bob", "carol", strict=True)
        alice.say("hi")  # the next line anyone gets: nothing about their own join may come before it
        for user in (bob, carol):
            user.expect("alice: hi", "新用户自己不应收到自己加入的通知（它收到的是欢迎消息）。",
                        "A newcomer must not be told about its own join (it gets the welcome instead).",
                        sent="alice: hi\\n", strict=True)


def test_relays_to_others_not_sender(learner):
    with learner.server("chat_server:serve", HOST, 0) as srv, ExitStack() as stack:
        alice, bob, carol = room(srv, stack, "alice", "bob", "carol")
        alice.say("大家好")
        for user in (bob, carol):
            user.expect("alice: 大家好", "别人说的话应以 \"{昵称}: {文本}\" 转发过来。",
                        "A line someone said must be relayed as \"{nick}: {text}\".", sent="alice: 大家好\\n", **RELAY_HINT)
        bob.say("ping")
        alice.expect("bob: ping", "发送者不应收到自己说的话（alice 的下一行应是 bob 的消息）。",
                     "The sender must not get its own line back (alice's next line must be bob's).",
                     sent="alice: 大家好\\n, then bob: ping\\n", strict=True, **RELAY_HINT)
        carol.expect("bob: ping", "别人说的话应转发给所有其他用户。", "A line must be relayed to every other user.",
                     sent="bob: ping\\n", **RELAY_HINT)


def test_relays_lines_whole(learner):
    with learner.server("chat_server:serve", HOST, 0) as srv, ExitStack() as stack:
        alice, bob = room(srv, stack, "alice", "bob")
        data = "你好，世界！\n".encode()
        parts = [data[:4], data[4:11], data[11:]]  # cuts through UTF-8 characters on purpose
        send_in_fragments(alice.sock, parts, srv.timeout)
        sent = " + ".join(repr(p) for p in parts)
        bob.expect("alice: 你好，世界！", "一行分三段到达时，应在收到 \\n 之后整行转发一次。",
                   "A line arriving in three pieces must be relayed once, whole, after its \\n.", sent=sent, **STREAM_HINT)
        alice.sock.sendall(b"one\ntwo\n")
        bob.expect("alice: one", "一次发来的两行应分别转发。", "Two lines arriving in one send must be relayed one by one.",
                   sent="one\\ntwo\\n", **STREAM_HINT)
        bob.expect("alice: two", "一次发来的两行应分别转发。", "Two lines arriving in one send must be relayed one by one.",
                   sent="one\\ntwo\\n", **STREAM_HINT)
        big = "大消息 ✓ " * 4681  # 64 KiB with the \n, sent at once
        alice.say(big)
        got = bob.next_line("一次发来的 64 KiB 长行应整行转发。", "A 64 KiB line sent at once must be relayed whole.", sent=shown(big))
        if got != "alice: " + big:
            fail("一次发来的 64 KiB 长行没有被完整转发。", "A 64 KiB line sent at once was not relayed whole.",
                 sent=shown(big + "\n"), expected=shown("alice: " + big), got=shown(got), **STREAM_HINT)


def test_concurrent_senders(learner):
    with learner.server("chat_server:serve", HOST, 0) as srv, ExitStack() as stack:
        users = room(srv, stack, "u1", "u2", "u3")
        said = {u.nick: [f"{u.nick} 第 {i} 句 / line {i}" for i in range(1, 21)] for u in users}
        for user in users:  # all three at once: each sends its 20 lines in one go
            user.sock.sendall("".join(line + "\n" for line in said[user.nick]).encode())
        for user in users:
            others = [u.nick for u in users if u is not user]
            heard = [user.next_line("三个用户同时各发 20 行，每个人应收到另外两人的全部 40 行。",
                                    "Three users each sent 20 lines at once; everyone must get the other two's 40 lines.")
                     for _ in range(40)]
            for nick in others:
                mine = [line for line in heard if line.startswith(nick + ": ")]
                want = [f"{nick}: {line}" for line in said[nick]]
                if mine != want:
                    fail(f"{user.nick} 收到的 {nick} 的消息不全、顺序不对或被拆开了。",
                         f"{user.nick} got {nick}'s lines incomplete, out of order or split.",
                         sent=f"{nick}: {len(said[nick])} lines in one send", expected=shown("\n".join(want)),
                         got=shown("\n".join(heard)), **STREAM_HINT)


def test_half_line_kept_per_user(learner):
    with learner.server("chat_server:serve", HOST, 0) as srv, ExitStack() as stack:
        alice, bob, carol = room(srv, stack, "alice", "bob", "carol")
        alice.sock.sendall(b"hal")  # half a line: the server reads it and must keep it for alice alone
        if not wait_consumed(alice.sock, srv.timeout):
            fail("服务器没有读取 alice 发来的半行。", "The server did not read alice's half line.", sent="alice: hal")
        bob.say("hi")
        sent = "alice: hal（没有 \\n / no \\n）; bob: hi\\n"
        for user in (alice, carol):
            user.expect("bob: hi", "alice 只发了半行时，bob 说的话应原样转发，不能混进 alice 的半行。",
                        "While alice had sent only half a line, bob's line must be relayed as it is, with nothing of "
                        "alice's in it.", sent=sent, **BUFFER_HINT)
        alice.sock.sendall(b"lo\n")
        for user in (bob, carol):
            user.expect("alice: hallo", "alice 分两次发完的一行应整行转发。", "alice's line, sent in two parts, must be "
                        "relayed whole.", sent="alice: hal, (bob: hi), alice: lo\\n", **BUFFER_HINT)


def test_announces_leave(learner):
    with learner.server("chat_server:serve", HOST, 0) as srv, ExitStack() as stack:
        alice, bob = room(srv, stack, "alice", "bob")
        bob.sock.close()
        expect_leave([alice], "bob", "bob 关闭连接 / bob closes the connection")


def test_departed_user_removed(learner):
    with learner.server("chat_server:serve", HOST, 0) as srv, ExitStack() as stack:
        alice, bob, carol = room(srv, stack, "alice", "bob", "carol")
        carol.sock.shutdown(socket.SHUT_WR)  # carol leaves (EOF) but still listens to what comes
        expect_leave([alice, bob], "carol", "carol 关闭发送方向（EOF）/ carol shuts down its sending side (EOF)")
        alice.say("carol 走了吗？")
        bob.expect("alice: carol 走了吗？", "有人离开之后，其他人之间的消息应照常转发。",
                   "After someone left, lines between the others must still be relayed.", sent="alice: carol 走了吗？\\n")
        after = carol.poll(srv.timeout)
        if after is not None:
            fail("离开的用户（发来 EOF 之后）还收到了消息，或者服务器一直没有关闭它的连接。",
                 "A user who left (sent EOF) still received lines, or the server never closed its connection.",
                 sent="carol: EOF; then alice: carol 走了吗？\\n", expected="EOF",
                 got=shown(after) if after != "(timeout)" else "(没有关闭连接 / connection not closed)",
                 hint_zh="用户离开时，把它从列表里删掉（之后不再给它发任何东西），并关闭它的连接。笔记 §3.5.4 从不删除用户。",
                 hint_en="When a user leaves, remove it from the list (nothing is sent to it any more) and close its "
                         "connection. The notes' §3.5.4 never removes users.")
        dave = join(srv, stack, "dave", online=3)  # alice, bob and dave: carol must not be counted
        for user in (alice, bob):
            user.expect("*** dave 加入了聊天室", "有新用户加入时，其他人都应收到通知。", "When someone joins, everyone else must be told.")
        dave.say("hi")
        alice.expect("dave: hi", "新用户的消息应转发给其他人。", "A newcomer's line must be relayed to the others.", sent="dave: hi\\n")


def test_survives_client_reset(learner):
    with learner.server("chat_server:serve", HOST, 0) as srv, ExitStack() as stack:
        alice, bob, carol = room(srv, stack, "alice", "bob", "carol")
        reset(carol.sock)  # RST instead of FIN, as a crashing client would
        expect_leave([alice, bob], "carol", "carol 的连接被重置（RST）/ carol's connection is reset (RST)")
        alice.say("还在吗？")
        bob.expect("alice: 还在吗？", "一个用户异常断开之后，其他人之间的消息应照常转发。",
                   "After one user's connection was reset, lines between the others must still be relayed.",
                   sent="alice: 还在吗？\\n", **RELAY_HINT)
        bob.say("在")
        alice.expect("bob: 在", "一个用户异常断开之后，其他人之间的消息应照常转发。",
                     "After one user's connection was reset, lines between the others must still be relayed.",
                     sent="bob: 在\\n", **RELAY_HINT)


def test_slow_reader_does_not_stall(learner):
    with learner.server("chat_server:serve", HOST, 0) as srv, ExitStack() as stack:
        join(srv, stack, "sloth", rcvbuf=SLOW_RCVBUF)  # reads its welcome, then nothing ever again
        alice, bob = room(srv, stack, "alice", "bob", alone="sloth")  # (their joins are announced to sloth, unread)
        flood = FLOOD_LINE + b"\n"
        errors = []

        def send_flood():
            try:
                for _ in range(FLOOD_LINES):
                    alice.sock.sendall(flood)
            except OSError as exc:  # the server stopped reading alice: it is stuck
                errors.append(exc)

        sender = threading.Thread(target=send_flood, daemon=True)
        sender.start()
        want = "alice: " + FLOOD_LINE.decode()
        limit = 3 * srv.timeout  # megabytes through Python on a loaded machine: a wide margin
        for i in range(FLOOD_LINES):
            line = bob.poll(limit)
            if line != want:
                fail(f"一个从不读数据的用户让聊天室卡住了：alice 连续发了 {FLOOD_LINES} 行（{FLOOD_LINES * len(flood) / 1e6:.1f} MB），"
                     f"bob 只收到了 {i} 行。",
                     f"One user who never reads stalled the room: alice sent {FLOOD_LINES} lines "
                     f"({FLOOD_LINES * len(flood) / 1e6:.1f} MB) and bob got only {i}.",
                     expected=shown(want), got=shown(line) if line is not None else readable(None),
                     hint_zh="给 sloth 发数据的 sendall 在它的缓冲区满了之后会一直阻塞；如果是在 alice 的线程里（还拿着锁）发的，"
                             "整个聊天室都会停下。给每个用户一个发送队列（queue.Queue）和一个专门发送的线程。",
                     hint_en="Once sloth's buffers are full, sendall to it blocks for ever; done in alice's thread (holding "
                             "the lock), it stops the whole room. Give every user an outgoing queue.Queue and a thread "
                             "of its own that sends from it.")
        sender.join(srv.timeout)
        check(not errors, "服务器在转发时停止读取 alice 的数据。", "The server stopped reading alice's lines.", got=errors)
        carol = join(srv, stack, "carol")  # the room still takes newcomers
        for user in (alice, bob):
            user.expect("*** carol 加入了聊天室", "慢用户存在时，新用户加入也应通知其他人。",
                        "With a slow user in the room, a join must still be announced.")
        carol.say("hello")
        bob.expect("carol: hello", "慢用户存在时，消息应照常转发。", "With a slow user in the room, lines must still be relayed.",
                   sent="carol: hello\\n")


def test_releases_threads_and_fds(learner):
    with learner.server("chat_server:serve", HOST, 0) as srv:
        idle = count(srv, "threads")
        with ExitStack() as stack:  # one user first, so the baseline holds whatever one finished user leaves
            join(srv, stack, "first")
        threads = settle(srv, "threads", idle)
        fds, before = count(srv, "fds"), fd_kinds(main_process(srv).pid)
        with ExitStack() as stack:
            alice, bob, carol = room(srv, stack, "alice", "bob", "carol")
            alice.say("bye all")
            bob.expect("alice: bye all", "消息应转发给其他人。", "A line must be relayed to the others.")
        now_threads = settle(srv, "threads", threads)
        now_fds = settle(srv, "fds", fds)
        check(now_threads <= threads, f"3 个用户离开 {SETTLE:g} 秒后，服务器的线程数是 {now_threads}，空闲时是 {threads}。",
              f"{SETTLE:g} s after 3 users left, the server has {now_threads} threads instead of {threads}.",
              expected=f"<= {threads}", got=now_threads,
              hint_zh="用户离开时，它的读线程要返回；如果有发送线程，也要让它结束（例如往它的队列里放一个 None）。",
              hint_en="When a user leaves, its reading thread must return, and its sending thread too, if any (e.g. put "
                      "None in its queue).")
        check(now_fds <= fds, f"3 个用户离开 {SETTLE:g} 秒后，服务器打开的文件描述符从 {fds} 个变成了 {now_fds} 个。",
              f"{SETTLE:g} s after 3 users left, the server has {now_fds} open file descriptors instead of {fds}.",
              expected=f"<= {fds} {before}", got=f"{now_fds} {fd_kinds(main_process(srv).pid)}",
              hint_zh="用户离开时要关闭它的连接，并把它从列表里删掉。", hint_en="Close a user's connection when it leaves, and remove it from the list.")


def test_restarts_on_same_port(learner):
    """The server is stopped while a user is still connected (the server's side of that
    connection stays bound to the port, in FIN_WAIT2 or TIME_WAIT), then a new server starts on
    the same port at once: bind succeeds only with SO_REUSEADDR set before it."""
    with ExitStack() as stack:
        with learner.server("chat_server:serve", HOST, 0) as first:
            join(first, stack, "alice", online=1)  # alice's connection outlives this server
            port = first.port
        second = restart_on_same_port(learner, "chat_server:serve", port, who=("还有一个用户连着", "a user"))
        srv = stack.enter_context(second)
        join(srv, stack, "bob", online=1)  # a new room: bob is alone in it


