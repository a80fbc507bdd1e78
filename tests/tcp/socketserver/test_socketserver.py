"""tcp/socketserver: the line echo on socketserver.ThreadingTCPServer.

Over real loopback sockets: every complete line comes back unchanged and is logged as
``<addr>: text`` (the shared checks of ``kit.echo_suite``, with this exercise's hints from
``[suite]`` in exercise.toml).  What makes this server model: one thread per connected
client (seen from outside with psutil), the thread count back to its baseline once clients
leave, and a clean stop: ``shutdown()`` and ``server_close()`` return promptly while a
client is still connected, and a new server starts on the same port at once (that part runs
inside the sandbox, in the probe, and reports what happened).
"""
import socket
from contextlib import ExitStack

from grader.feedback import check, equal, fail
from kit.echo import answer, log_texts, open_client, serve_many, server_alive, shown
from kit.echo_suite import (  # noqa: F401 - the shared checks this exercise takes
    EchoServer,
    test_client_sees_eof,
    test_echoes_lines_in_order,
    test_large_line_echoed_whole,
    test_logs_client_exit,
    test_logs_lines,
    test_reassembles_fragmented_line,
    test_serves_clients_concurrently,
    test_splits_lines_sent_together,
    test_survives_client_reset,
)
from kit.lines import HOST, SETTLE, count, main_process, settle

LIMIT = 3.0  # seconds each of shutdown() and server_close() may take (serve_forever polls every 0.5 s)


def test_each_client_in_own_thread(learner):
    es = EchoServer.of(learner.exercise)
    with es.start(learner) as srv, ExitStack() as stack:
        baseline = count(srv, "threads")
        serve_many(srv, 3, stack, **es.hint("serve_many"))
        threads = count(srv, "threads")
        _, kids = srv.processes()
        check(threads >= baseline + 3 and not kids,
              "3 个客户端都连着时，服务器进程应为每个客户端多出一个线程（并且不创建子进程）。",
              "While 3 clients are connected, the server's process must have one more thread per client (and no child "
              "processes).", expected=f">= {baseline + 3} threads, 0 child processes",
              got=f"{threads} threads, {len(kids)} child processes",
              hint_zh="用 socketserver.ThreadingTCPServer（不是 ForkingTCPServer 或 TCPServer）。",
              hint_en="Use socketserver.ThreadingTCPServer (not ForkingTCPServer or TCPServer).")


def test_threads_back_to_baseline(learner):
    es = EchoServer.of(learner.exercise)
    with es.start(learner) as srv:
        baseline = count(srv, "threads")
        with ExitStack() as stack:
            serve_many(srv, 5, stack, **es.hint("serve_many"))
        server_alive(srv)
        now = settle(srv, "threads", baseline)
        check(now <= baseline, f"5 个客户端离开 {SETTLE:g} 秒后，服务器的线程数从 {baseline} 个变成了 {now} 个。",
              f"{SETTLE:g} s after 5 clients left, the server has {now} threads instead of {baseline}.",
              expected=f"<= {baseline}", got=now,
              hint_zh="客户端关闭连接后，handle 要结束循环并返回，这个连接的线程才会结束（recv 返回 b\"\" 就是结束）。",
              hint_en="Once the client closed, handle must leave its loop and return so that the connection's thread "
                      "ends (recv returning b\"\" is the end).")
        main_process(srv)


def shutdown_report(learner) -> dict:
    out = learner.call("shutdown_cycle", HOST, LIMIT)
    equal(out.get("reply"), b"before shutdown\n", "make_server 创建的服务器没有回显。",
          "The server make_server created did not echo.", sent="before shutdown\\n")
    return out


def test_shutdown_is_clean(learner):
    out = shutdown_report(learner)
    took = out["shutdown"]
    if not isinstance(took, float) or not out["loop_ended"]:
        fail(f"serve_forever() 在另一个线程里运行时，shutdown() 在 {LIMIT:g} 秒内没有让它结束。",
             f"With serve_forever() running in another thread, shutdown() did not end it within {LIMIT:g} s.",
             got=took if took is not None else "(still waiting)",
             hint_zh="直接使用 socketserver 的 serve_forever()，不要自己写 while True: handle_request() 循环。",
             hint_en="Use socketserver's own serve_forever(), not a while True: handle_request() loop of your own.")
    took = out["close"]
    if not isinstance(took, float):
        fail(f"还有客户端连着时，server_close() 在 {LIMIT:g} 秒内没有返回（它在等客户端的线程结束）。",
             f"With a client still connected, server_close() did not return within {LIMIT:g} s (it waits for the "
             "clients' threads).", got=took if took is not None else "(still waiting)",
             hint_zh="在 EchoServer 类里设置 daemon_threads = True：服务器关闭时不等还连着的客户端。",
             hint_en="Set daemon_threads = True in the EchoServer class: closing the server then does not wait for "
                     "clients still connected.")
    check(out["refused"] is True, "server_close() 之后，这个端口还在接受连接。", "After server_close(), the port still "
          "accepts connections.", expected="ConnectionRefusedError", got=out["refused"],
          hint_zh="不要改写 server_close()；监听套接字要由它关闭。", hint_en="Do not override server_close(); it closes the "
                                                                        "listening socket.")


def test_restarts_on_same_port(learner):
    out = shutdown_report(learner)
    if out["restart"] != "ok":
        fail("服务器关闭后（还有一个客户端连着），在同一个端口上立刻创建新服务器失败。",
             "After the server was closed (with one client still connected), creating a new server on the same port "
             "failed.", got=out["restart"],
             hint_zh="在 EchoServer 类里设置 allow_reuse_address = True（bind 之前设置 SO_REUSEADDR）。",
             hint_en="Set allow_reuse_address = True in the EchoServer class (SO_REUSEADDR before bind).")
    equal(out.get("reply_after_restart"), b"after restart\n", "在同一端口重启的服务器没有回显。",
          "The server restarted on the same port did not echo.", sent="after restart\\n")


def test_drops_partial_last_line(learner):
    """b"one\\nhalf", then the client shuts down its sending side: "one" is echoed and logged,
    the unfinished "half" is dropped (neither echoed nor logged), then the server closes."""
    es = EchoServer.of(learner.exercise)
    sent = "one\\nhalf（没有 \\n / no \\n），然后关闭发送方向 / then shut down sending"
    with es.start(learner) as srv, ExitStack() as stack:
        client = open_client(srv, stack)
        client.send(b"one\nhalf")
        got = answer(srv, client, b"one\n")
        equal(got, b"one", "完整的第一行应原样发回。", "The complete first line must come back unchanged.", sent=sent)
        client.sock.shutdown(socket.SHUT_WR)
        try:
            rest = client.reader.line(srv.timeout)
        except TimeoutError:
            fail(f"客户端关闭发送方向后，{srv.timeout:g} 秒内没有收到服务器关闭连接（EOF）。",
                 f"After the client shut down its sending side, no EOF (server closing) arrived within {srv.timeout:g} s.",
                 sent=sent, **es.hint("client_sees_eof"))
        left = (rest + b"\n" if rest is not None else b"") + client.reader.pending
        hint = dict(hint_zh="没有以 b\"\\n\" 结尾的最后一行（客户端在一行中间关闭了连接）要丢掉：if not line.endswith(b\"\\n\"): break。",
                    hint_en="A last line without b\"\\n\" (the client closed in the middle of a line) is dropped: "
                            "if not line.endswith(b\"\\n\"): break.")
        check(rest is None and not left, "客户端在一行中间关闭了连接：这半行不应发回，服务器应直接关闭连接。",
              "The client closed in the middle of a line: that half line must not be echoed; the server just closes.",
              sent=sent, expected="EOF", got=shown(left) + " + EOF", **hint)
        line = es.exit_line.format(addr=client.addr)
        srv.stdout.wait_for(lambda text: line in text, srv.timeout)
        logged = [t for t in log_texts(srv.stdout.text(), client.addr) if t != "one"]
        check(not logged, "客户端在一行中间关闭了连接：这半行不应打印到日志里。",
              "The client closed in the middle of a line: that half line must not be logged.",
              sent=sent, expected=f"<{client.addr}>: one", got=logged, **hint)


def test_logs_reach_a_pipe_at_once(learner):
    """With the server's stdout a block-buffered pipe (not a terminal): a line's log appears while
    its client is connected, and the client's exit line once it has left, while the server runs."""
    es = EchoServer.of(learner.exercise)
    hint = dict(hint_zh="print(..., flush=True)：输出进了管道，不刷新就会留在缓冲区里。",
                hint_en="print(..., flush=True): the output goes into a pipe, and without a flush it stays in the buffer.")
    with learner.server("serve_piped", HOST, 0) as srv:
        with ExitStack() as stack:
            client = open_client(srv, stack)
            client.send("你好\n".encode())
            equal(answer(srv, client, "你好\n".encode()), "你好".encode(), "这一行应原样发回。", "The line must come back unchanged.",
                  sent="你好\\n")
            line = f"<{client.addr}>: 你好"
            seen = srv.stdout.wait_for(lambda text: line in text, srv.timeout)
            check(seen, f"服务器的输出是管道（不是终端）时，客户端还连着，{srv.timeout:g} 秒内没有看到这一行的日志。",
                  f"With the server's output going to a pipe (not a terminal), the log of a line did not appear within "
                  f"{srv.timeout:g} s while its client was still connected.", sent="你好\\n", expected=line,
                  got=srv.stdout.text()[-1000:] or "(没有输出 / no output)", **hint)
        line = es.exit_line.format(addr=client.addr)
        seen = srv.stdout.wait_for(lambda text: line in text, srv.timeout)
        check(seen, f"服务器的输出是管道（不是终端）时，客户端离开后 {srv.timeout:g} 秒内没有看到它的退出消息。",
              f"With the server's output going to a pipe (not a terminal), the exit line of a client that left did not "
              f"appear within {srv.timeout:g} s.", expected=line, got=srv.stdout.text()[-1000:], **hint)
