"""tcp/multiprocess-server: one child process per client, checked over real loopback sockets.

The server's processes are looked at from outside with psutil: its live children while
clients are connected, zombies and open file descriptors after they left.
"""
import socket
import time
from contextlib import ExitStack

import psutil

from grader.feedback import check, equal, fail
from grader.net import recv_exactly, reset, tcp_queues
from kit.echo import paused
from kit.lines import HOST, SETTLE, fd_kinds, main_process, restart_on_same_port
from kit.lines import output_tail as lines_output_tail


# -- helpers ------------------------------------------------------------------------
def shown(data: bytes) -> str:
    text = data.decode("utf-8", "replace")
    return text if len(text) <= 60 else f"{text[:40]}… ({len(data)} bytes)"


def output_tail(srv, keep: int = 1500) -> str | None:
    """The server's output, for failures where it may say why (a child's traceback comes
    a moment after the connection dropped, so give stderr a second to arrive)."""
    return lines_output_tail(srv, keep=keep, wait=1.0)


def connect(srv) -> socket.socket:
    try:
        return srv.connect()
    except TimeoutError:
        raise  # the server turns this into a hang report
    except OSError as exc:
        fail(f"连不上服务器：{exc}", f"Could not connect to the server: {exc}",
             hint_zh="服务器是不是已经退出了？主进程必须一直 accept。", hint_en="Did the server end? Its main process must keep accepting.",
             details=output_tail(srv))


def echo(srv, sock: socket.socket, data: bytes) -> bytes:
    """Send data, read back as many bytes (fewer if the server closes first)."""
    try:
        sock.sendall(data)
        return recv_exactly(sock, len(data))
    except TimeoutError:
        raise
    except OSError as exc:
        fail(f"服务器断开了连接：{exc}", f"The server dropped the connection: {exc}",
             sent=shown(data), details=output_tail(srv))


def connect_all(srv, n: int, stack: ExitStack) -> list[socket.socket]:
    """n clients connected at once, each sends a message; every one must get its echo
    while all stay connected.  Fails (not a hang) if only some are served."""
    socks = [stack.enter_context(connect(srv)) for _ in range(n)]
    messages = [f"客户端 {i + 1} / client {i + 1}".encode() for i in range(n)]
    for sock, msg in zip(socks, messages, strict=True):
        sock.sendall(msg)
    end = time.monotonic() + srv.timeout
    for i, (sock, msg) in enumerate(zip(socks, messages, strict=True)):
        sock.settimeout(max(0.1, end - time.monotonic()))
        try:
            got = recv_exactly(sock, len(msg))
        except TimeoutError:
            if i == 0:
                raise  # not even the first client was answered: the server hangs
            fail(f"同时连着 {n} 个客户端时，第 {i + 1} 个在 {srv.timeout:g} 秒内没有收到回显（前 {i} 个收到了）。",
                 f"With {n} clients connected at once, client {i + 1} got no echo within {srv.timeout:g} s "
                 f"(the first {i} did).",
                 sent=shown(msg), hint_zh="服务器一次只服务一个客户端：accept 之后为每个客户端启动一个子进程，主进程立刻回去 accept。",
                 hint_en="The server serves one client at a time: start a child process per client and go straight "
                         "back to accept.")
        except OSError as exc:
            fail(f"第 {i + 1} 个客户端的连接被断开：{exc}", f"Client {i + 1}'s connection was dropped: {exc}",
                 sent=shown(msg), details=output_tail(srv))
        equal(got, msg, f"第 {i + 1} 个客户端收到的回显不对。", f"Client {i + 1} got the wrong echo.", sent=shown(msg))
    for sock in socks:
        sock.settimeout(srv.timeout)
    return socks


def status(proc: psutil.Process) -> str | None:
    try:
        return proc.status()
    except psutil.Error:
        return None  # gone (reaped) meanwhile


def wait_children_gone(srv, timeout: float) -> list[psutil.Process]:
    """Poll until the main process has no child processes at all; return those left."""
    end = time.monotonic() + timeout
    while True:
        main_process(srv)
        _, kids = srv.processes()
        kids = [k for k in kids if status(k) is not None]
        if not kids or time.monotonic() > end:
            return kids
        time.sleep(0.02)  # polling the process table


# -- checks -------------------------------------------------------------------------
def test_echoes_in_order(learner):
    messages = [b"hello", "你好，服务器！".encode(), ("多进程 ✓ " * 400).encode(), b"bye"]
    with learner.server("mp_server:serve", HOST, 0) as srv, connect(srv) as sock:
        for msg in messages:
            got = echo(srv, sock, msg)
            if got != msg:
                fail("回显不对：应原样发回收到的字节（大消息要全部发回，用 sendall）。",
                     "Wrong echo: send back exactly the bytes received (all of a long message: use sendall).",
                     sent=shown(msg), expected=shown(msg), got=shown(got), details=output_tail(srv))


def test_logs_messages(learner):
    messages = ["hello", "你好，服务器！"]
    with learner.server("mp_server:serve", HOST, 0) as srv, connect(srv) as sock:
        addr = sock.getsockname()
        for msg in messages:
            echo(srv, sock, msg.encode())
        lines = [f"<{addr}>: {msg}" for msg in messages]
        seen = srv.stdout.wait_for(lambda text: all(line in text for line in lines), srv.timeout)
        check(seen, "服务器没有按格式打印收到的消息。", "The server did not print the messages it received in the required format.",
              sent=" , ".join(messages), expected="\n".join(lines), got=srv.stdout.text()[-1000:],
              hint_zh="在子进程里 print(f\"<{addr}>: {文本}\", flush=True)，addr 是 accept 返回的地址元组。",
              hint_en="In the child, print(f\"<{addr}>: {text}\", flush=True), addr being the tuple accept returned.")


def test_logs_client_exit(learner):
    with learner.server("mp_server:serve", HOST, 0) as srv:
        with connect(srv) as sock:
            addr = sock.getsockname()
            echo(srv, sock, b"hi")
        line = f"客户端{addr}退出"
        seen = srv.stdout.wait_for(lambda text: line in text, srv.timeout)
        check(seen, "客户端断开后，服务器没有打印退出消息。", "After the client left, the server did not print the exit message.",
              expected=line, got=srv.stdout.text()[-1000:],
              hint_zh="recv 返回 b\"\" 表示客户端关闭了连接：打印 客户端{addr}退出（flush=True），关闭套接字。",
              hint_en="recv returning b\"\" means the client closed: print 客户端{addr}退出 (flush=True) and close the socket.")


def test_client_sees_eof(learner):
    with learner.server("mp_server:serve", HOST, 0) as srv, connect(srv) as sock:
        echo(srv, sock, b"last words")
        sock.shutdown(socket.SHUT_WR)  # "I am done sending": the server should close its side
        try:
            rest = sock.recv(1024)
        except TimeoutError:
            fail(f"客户端关闭发送方向后，{srv.timeout:g} 秒内没有收到服务器关闭连接（EOF）。",
                 f"After the client shut down its sending side, no EOF (server closing) arrived within {srv.timeout:g} s.",
                 hint_zh="子进程关闭了套接字，但主进程还持有它的副本，连接就不会真正关闭：主进程在 start() 之后要立刻 conn.close()。",
                 hint_en="The child closed its socket, but while the main process holds its own copy the connection stays "
                         "open: the parent must conn.close() right after start().")
        except OSError as exc:
            rest = f"<{exc}>"
        equal(rest, b"", "客户端关闭发送方向后，服务器应关闭连接（客户端读到 EOF）。",
              "After the client shut down its sending side, the server must close the connection (client reads EOF).")


def test_each_client_in_child_process(learner):
    with learner.server("mp_server:serve", HOST, 0) as srv, ExitStack() as stack:
        connect_all(srv, 3, stack)
        main_process(srv)
        _, kids = srv.processes()
        live = [k for k in kids if status(k) not in (None, psutil.STATUS_ZOMBIE)]
        check(len(live) >= 3, "3 个客户端都连着时，服务器主进程应至少有 3 个在运行的子进程（每个客户端一个）。",
              "While 3 clients are connected, the server's main process must have at least 3 live child processes "
              "(one per client).", expected=">= 3", got=len(live),
              hint_zh="用 multiprocessing.Process(target=handle_client, args=(conn, addr)) 处理每个客户端，不要用线程。",
              hint_en="Handle each client in multiprocessing.Process(target=handle_client, args=(conn, addr)), not a thread.")


def test_serves_clients_concurrently(learner):
    with learner.server("mp_server:serve", HOST, 0) as srv, ExitStack() as stack:
        socks = connect_all(srv, 5, stack)
        for i in reversed(range(len(socks))):  # and again, the last first, all still connected
            msg = f"再来一次 / again {i + 1}".encode()
            equal(echo(srv, socks[i], msg), msg, f"第 {i + 1} 个客户端第二次的回显不对。",
                  f"Client {i + 1}'s second echo is wrong.", sent=shown(msg))


def test_no_zombies(learner):
    with learner.server("mp_server:serve", HOST, 0) as srv:
        with ExitStack() as stack:
            connect_all(srv, 3, stack)
        left = wait_children_gone(srv, SETTLE)  # all three clients have closed
        zombies = [k.pid for k in left if status(k) == psutil.STATUS_ZOMBIE]
        check(not zombies, f"客户端离开 {SETTLE:g} 秒后，服务器主进程还有 {len(zombies)} 个僵尸子进程（结束了但没被回收）。",
              f"{SETTLE:g} s after the clients left, the server's main process still has {len(zombies)} zombie "
              "children (ended but never reaped).", got=f"zombie pids {zombies}",
              hint_zh="子进程结束后要及时回收：例如 signal.signal(signal.SIGCHLD, ...) 的处理函数里调用 "
                      "multiprocessing.active_children()。",
              hint_en="Reap children as soon as they end: e.g. call multiprocessing.active_children() in a "
                      "signal.signal(signal.SIGCHLD, ...) handler.")
        check(not left, f"客户端离开 {SETTLE:g} 秒后，服务器还有 {len(left)} 个子进程在运行。",
              f"{SETTLE:g} s after the clients left, {len(left)} child processes of the server are still running.",
              got=f"pids {[k.pid for k in left]}",
              hint_zh="recv 返回 b\"\" 时，handle_client 要结束循环、关闭套接字并返回。",
              hint_en="When recv returns b\"\", handle_client must leave its loop, close the socket and return.")


def test_survives_client_reset(learner):
    with learner.server("mp_server:serve", HOST, 0) as srv:
        with connect(srv) as victim:
            echo(srv, victim, b"about to crash")
            reset(victim)  # RST instead of FIN, as a crashing client would
        wait_children_gone(srv, SETTLE)
        main_process(srv)
        with connect(srv) as fresh:
            got = echo(srv, fresh, b"still there?")
        if got != b"still there?":
            fail("一个客户端异常断开（RST）之后，新客户端没有得到正确的回显。",
                 "After one client reset its connection, a new client did not get its echo.",
                 sent="still there?", got=shown(got), details=output_tail(srv))


def test_releases_fds(learner):
    with learner.server("mp_server:serve", HOST, 0) as srv:
        with ExitStack() as stack:  # one client first, so the baseline holds whatever one finished client leaves
            connect_all(srv, 1, stack)
        wait_children_gone(srv, SETTLE)
        main = main_process(srv)
        baseline, before = main.num_fds(), fd_kinds(main.pid)
        with ExitStack() as stack:
            connect_all(srv, 3, stack)
        end = time.monotonic() + SETTLE
        while True:
            main = main_process(srv)
            now = main.num_fds()
            if now <= baseline or time.monotonic() > end:
                break
            time.sleep(0.02)  # polling the process's descriptor table
        check(now <= baseline, f"3 个客户端离开 {SETTLE:g} 秒后，服务器主进程打开的文件描述符从 {baseline} 个变成了 {now} 个。",
              f"{SETTLE:g} s after 3 clients left, the server's main process has {now} open file descriptors "
              f"instead of {baseline}.", expected=f"<= {baseline} {before}", got=f"{now} {fd_kinds(main.pid)}",
              hint_zh="主进程在 start() 之后要 conn.close()，不要把客户端套接字存起来；用 multiprocessing.active_children() "
                      "回收子进程（直接用 os.waitpid 的话，multiprocessing 不知道子进程已结束，每个 Process 对象的管道会一直留着）。",
              hint_en="The parent must conn.close() after start() and keep no client sockets; reap children with "
                      "multiprocessing.active_children() (with a bare os.waitpid, multiprocessing never learns the child "
                      "ended and every Process object keeps its pipes open).")


def arrived(sock: socket.socket, size: int, timeout: float) -> bool:
    """True once ``size`` bytes we sent wait in the peer's receive queue (it need not read them)."""
    mine, theirs = sock.getsockname(), sock.getpeername()
    end = time.monotonic() + timeout
    while True:
        peer = tcp_queues(theirs, mine)
        if peer is None or peer[1] >= size:
            return peer is not None
        if time.monotonic() > end:
            return False
        time.sleep(0.002)  # polling the kernel's queues, not waiting for time to pass


def test_logs_each_1024_byte_chunk(learner):
    """2520 bytes wait in the child's receive queue at once (the server is paused while they are
    sent): recv(1024) takes them as 1024 + 1024 + 472 bytes, so three log lines, in that order."""
    data = "".join(f"{i:05d}," for i in range(420)).encode()  # 2520 bytes, every piece different
    chunks = [data[i:i + 1024] for i in range(0, len(data), 1024)]
    with learner.server("mp_server:serve", HOST, 0) as srv, connect(srv) as sock:
        addr = sock.getsockname()
        echo(srv, sock, b"hello")  # the child is up and waits in recv
        with paused(srv):
            sock.sendall(data)
            arrived(sock, len(data), srv.timeout)
        got = recv_exactly(sock, len(data))
        equal(got, data, f"一次到达的 {len(data)} 字节没有被原样发回。", f"{len(data)} bytes that arrived at once did not come "
              "back unchanged.", sent=shown(data))
        lines = [f"<{addr}>: {c.decode()}" for c in chunks]
        seen = srv.stdout.wait_for(lambda text: log_in_order(text, lines), srv.timeout)
        check(seen, f"{len(data)} 字节一次到达时，服务器应每 recv(1024) 一次打印一行：1024、1024、{len(chunks[-1])} 字节各一行。",
              f"When {len(data)} bytes arrived at once, the server must log one line per recv(1024): lines of 1024, "
              f"1024 and {len(chunks[-1])} bytes.", sent=shown(data),
              expected="\n".join(shown(line.encode()) for line in lines), got=srv.stdout.text()[-1500:],
              hint_zh="按题目用 conn.recv(1024)，每收到一块就打印一行。",
              hint_en="Use conn.recv(1024) as the statement says, and log one line per chunk received.")


def log_in_order(text: str, wanted: list[str]) -> bool:
    it = iter(text.splitlines())
    return all(any(line == want for line in it) for want in wanted)


def test_logs_reach_a_pipe_at_once(learner):
    """With the server's stdout a block-buffered pipe (not a terminal), a message's log line
    appears while its client is still connected: flush=True."""
    with learner.server("serve_piped", HOST, 0) as srv, connect(srv) as sock:
        addr = sock.getsockname()
        equal(echo(srv, sock, "你好".encode()), "你好".encode(), "回显不对。", "Wrong echo.", sent="你好")
        line = f"<{addr}>: 你好"
        seen = srv.stdout.wait_for(lambda text: line in text, srv.timeout)
        check(seen, f"服务器的输出是管道（不是终端）时，客户端还连着，{srv.timeout:g} 秒内没有看到它那条消息的日志。",
              f"With the server's output going to a pipe (not a terminal), the log line of a message did not appear "
              f"within {srv.timeout:g} s while its client was still connected.", sent="你好", expected=line,
              got=srv.stdout.text()[-1000:] or "(没有输出 / no output)",
              hint_zh="print(..., flush=True)：子进程的输出进了管道，不刷新就会留在缓冲区里。",
              hint_en="print(..., flush=True): a child's output goes into a pipe, and without a flush it stays in the buffer.")


def test_restarts_on_same_port(learner):
    """The server is stopped while a client is still connected (the server's side of that
    connection stays bound to the port), then a new server starts on the same port at once:
    bind succeeds only with SO_REUSEADDR set before it."""
    with ExitStack() as stack:
        with learner.server("mp_server:serve", HOST, 0) as first:
            sock = stack.enter_context(connect(first))
            equal(echo(first, sock, b"before restart"), b"before restart", "回显不对。", "Wrong echo.",
                  sent="before restart")
            port = first.port
        second = restart_on_same_port(learner, "mp_server:serve", port)
        with second, connect(second) as fresh:
            equal(echo(second, fresh, b"after restart"), b"after restart", "在同一端口重启的服务器没有回显。",
                  "The server restarted on the same port did not echo.", sent="after restart")


