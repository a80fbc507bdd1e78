"""tcp/socketserver: the line echo on socketserver.ThreadingTCPServer.

Over real loopback sockets: every complete line comes back unchanged and is logged as
``<addr>: text`` (shared checks in ``grader.tcpecho``).  What makes this server model: one
thread per connected client (seen from outside with psutil), the thread count back to its
baseline once clients leave, and a clean stop: ``shutdown()`` and ``server_close()`` return
promptly while a client is still connected, and a new server starts on the same port at once
(that part runs inside the sandbox, in the probe, and reports what happened).
"""
from contextlib import ExitStack

from grader.feedback import check, equal, fail
from grader.tcpecho import (
    HOST,
    SETTLE,
    check_client_sees_eof,
    check_fragmented_line,
    check_large_line,
    check_lines_sent_together,
    check_logs_client_exit,
    check_logs_lines,
    check_survives_reset,
    count,
    echo,
    main_process,
    open_client,
    serve_many,
    server_alive,
    settle,
)

EXIT = "客户端{addr}退出"
LIMIT = 3.0  # seconds each of shutdown() and server_close() may take (serve_forever polls every 0.5 s)
SERVE_MANY = dict(
    hint_zh="服务器一次只服务了一个客户端：EchoServer 要继承 socketserver.ThreadingTCPServer（不是 TCPServer），"
            "它为每个连接开一个线程。",
    hint_en="The server served one client at a time: EchoServer must subclass socketserver.ThreadingTCPServer (not "
            "TCPServer), which starts a thread per connection.",
)


def test_echoes_lines_in_order(learner):
    with learner.server("serve", HOST, 0) as srv, ExitStack() as stack:
        client = open_client(srv, stack)
        for line in ["hello", "你好，服务器！", "socketserver ✓ " * 40, "bye"]:
            echo(srv, client, line.encode())


def test_logs_lines(learner):
    with learner.server("serve", HOST, 0) as srv, ExitStack() as stack:
        check_logs_lines(srv, stack, hint_zh="在 handle 里，每读到一行，print(f\"<{self.client_address}>: {文本}\", flush=True)，"
                                             "文本不含 \\n。",
                         hint_en="In handle, for each line read, print(f\"<{self.client_address}>: {text}\", flush=True), "
                                 "text without the \\n.")


def test_logs_client_exit(learner):
    with learner.server("serve", HOST, 0) as srv:
        check_logs_client_exit(
            srv, EXIT, hint_zh="客户端关闭连接后 self.rfile 读完了（循环结束）：打印 客户端{self.client_address}退出（flush=True），"
                               "然后从 handle 返回。",
            hint_en="Once the client closed, self.rfile runs out (the loop ends): print 客户端{self.client_address}退出 "
                    "(flush=True) and return from handle.")


def test_reassembles_fragmented_line(learner):
    with learner.server("serve", HOST, 0) as srv, ExitStack() as stack:
        check_fragmented_line(srv, stack)


def test_splits_lines_sent_together(learner):
    with learner.server("serve", HOST, 0) as srv, ExitStack() as stack:
        check_lines_sent_together(srv, stack)


def test_large_line_echoed_whole(learner):
    with learner.server("serve", HOST, 0) as srv, ExitStack() as stack:
        check_large_line(srv, stack, hint_zh="用 StreamRequestHandler 的 self.rfile 按行读（for line in self.rfile），"
                                             "不要把一次 recv 当成一行。",
                         hint_en="Read lines from StreamRequestHandler's self.rfile (for line in self.rfile); do not take "
                                 "one recv as one line.")


def test_serves_clients_concurrently(learner):
    with learner.server("serve", HOST, 0) as srv, ExitStack() as stack:
        serve_many(srv, 10, stack, **SERVE_MANY)


def test_each_client_in_own_thread(learner):
    with learner.server("serve", HOST, 0) as srv, ExitStack() as stack:
        baseline = count(srv, "threads")
        serve_many(srv, 3, stack, **SERVE_MANY)
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
    with learner.server("serve", HOST, 0) as srv:
        baseline = count(srv, "threads")
        with ExitStack() as stack:
            serve_many(srv, 5, stack, **SERVE_MANY)
        server_alive(srv)
        now = settle(srv, "threads", baseline)
        check(now <= baseline, f"5 个客户端离开 {SETTLE:g} 秒后，服务器的线程数从 {baseline} 个变成了 {now} 个。",
              f"{SETTLE:g} s after 5 clients left, the server has {now} threads instead of {baseline}.",
              expected=f"<= {baseline}", got=now,
              hint_zh="客户端关闭连接后，handle 要结束循环并返回，这个连接的线程才会结束（recv 返回 b\"\" 就是结束）。",
              hint_en="Once the client closed, handle must leave its loop and return so that the connection's thread "
                      "ends (recv returning b\"\" is the end).")
        main_process(srv)


def test_client_sees_eof(learner):
    with learner.server("serve", HOST, 0) as srv, ExitStack() as stack:
        check_client_sees_eof(srv, stack, hint_zh="读到连接结束时从 handle 返回：socketserver 随后关闭这个连接。",
                              hint_en="Return from handle when the input ends: socketserver then closes the connection.")


def test_survives_client_reset(learner):
    with learner.server("serve", HOST, 0) as srv, ExitStack() as stack:
        check_survives_reset(srv, stack, EXIT)


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
