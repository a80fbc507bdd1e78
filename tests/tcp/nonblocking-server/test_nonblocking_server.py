"""tcp/nonblocking-server: one process, one thread, non-blocking sockets polled in a loop.

A line echo over real loopback sockets: every complete line comes back unchanged and is
logged as ``<addr>: text`` (shared checks in ``grader.tcpecho``).  What makes this server
model is that a single thread serves several clients at once, so it is checked with clients
that interleave, that all stay connected, and one that sent only half a line; from outside
(psutil) it must be one process with one thread and give back every closed client's socket.
"""
from contextlib import ExitStack

from grader.tcpecho import (
    HOST,
    check_client_sees_eof,
    check_fragmented_line,
    check_large_line,
    check_lines_sent_together,
    check_logs_client_exit,
    check_logs_lines,
    check_partial_line_does_not_block,
    check_releases_closed_clients,
    check_survives_reset,
    echo,
    one_thread_one_process,
    open_client,
    serve_many,
)

EXIT = "客户端{addr}已下线"
SERVE_MANY = dict(
    hint_zh="服务器一次只服务了一个客户端。每一轮循环都要依次尝试每个客户端：套接字是非阻塞的（setblocking(False)），"
            "没有数据时 recv 抛出 BlockingIOError，跳过它去看下一个。",
    hint_en="The server served one client at a time. Every round of the loop must try each client in turn: the sockets "
            "are non-blocking (setblocking(False)), so recv raises BlockingIOError when there is no data; skip to the "
            "next client.",
)


def test_echoes_lines_in_order(learner):
    with learner.server("serve", HOST, 0) as srv, ExitStack() as stack:
        client = open_client(srv, stack)
        for line in ["hello", "你好，服务器！", "非阻塞 ✓ " * 60, "bye"]:
            echo(srv, client, line.encode())


def test_logs_lines(learner):
    with learner.server("serve", HOST, 0) as srv, ExitStack() as stack:
        check_logs_lines(srv, stack, hint_zh="每收到完整的一行，print(f\"<{cli_addr}>: {文本}\", flush=True)，文本不含 \\n。",
                         hint_en="For each complete line, print(f\"<{cli_addr}>: {text}\", flush=True), text without the \\n.")


def test_logs_client_exit(learner):
    with learner.server("serve", HOST, 0) as srv:
        check_logs_client_exit(
            srv, EXIT, hint_zh="recv 返回 b\"\" 表示客户端关闭了连接：打印 客户端{cli_addr}已下线（flush=True），关闭并移除这个套接字。",
            hint_en="recv returning b\"\" means the client closed: print 客户端{cli_addr}已下线 (flush=True), close the "
                    "socket and drop it from the list.")


def test_reassembles_fragmented_line(learner):
    with learner.server("serve", HOST, 0) as srv, ExitStack() as stack:
        check_fragmented_line(srv, stack)


def test_splits_lines_sent_together(learner):
    with learner.server("serve", HOST, 0) as srv, ExitStack() as stack:
        check_lines_sent_together(srv, stack)


def test_large_line_echoed_whole(learner):
    with learner.server("serve", HOST, 0) as srv, ExitStack() as stack:
        check_large_line(srv, stack, hint_zh="一行可能比一次 recv 大得多：先攒进缓冲区，遇到 b\"\\n\" 再处理；发回时 send 可能只发出"
                                             "一部分，剩下的下一轮再发。",
                         hint_en="A line may be much longer than one recv: collect it in the buffer until its b\"\\n\"; "
                                 "when sending back, send may take only part: send the rest in a later round.")


def test_interleaved_clients(learner):
    with learner.server("serve", HOST, 0) as srv, ExitStack() as stack:
        first, second = open_client(srv, stack), open_client(srv, stack)  # both connected before anyone talks
        for who, client, text in [(1, first, "一号的第一行 / first, line 1"), (2, second, "二号的第一行 / second, line 1"),
                                  (1, first, "一号的第二行 / first, line 2"), (2, second, "二号的第二行 / second, line 2")]:
            echo(srv, client, text.encode(),
                 stuck_zh=f"两个客户端都连着、轮流发送时，第 {who} 个客户端在 {srv.timeout:g} 秒内没有收到回显。",
                 stuck_en=f"With two clients connected and taking turns, client {who} got no echo within {srv.timeout:g} s.",
                 hint_zh="循环里对每个客户端都要从它自己的套接字 cli_socket 读、往它自己的套接字发（笔记里的错误是总读 new_socket，"
                         "也就是最后连上的那个）；客户端套接字也要 setblocking(False)。",
                 hint_en="In the loop, read from and send to each client's own cli_socket (the notes' bug reads new_socket, "
                         "the client that connected last); client sockets must be setblocking(False) too.")


def test_serves_clients_concurrently(learner):
    with learner.server("serve", HOST, 0) as srv, ExitStack() as stack:
        serve_many(srv, 10, stack, **SERVE_MANY)


def test_partial_line_does_not_block_others(learner):
    with learner.server("serve", HOST, 0) as srv, ExitStack() as stack:
        check_partial_line_does_not_block(
            srv, stack, hint_zh="不要为了凑齐一行而反复 recv 同一个客户端：把收到的部分存进它的缓冲区，先去服务别的客户端；"
                                "客户端套接字要 setblocking(False)。",
            hint_en="Do not recv from one client until its line is complete: keep the part in its buffer and serve the "
                    "others meanwhile; client sockets must be setblocking(False).")


def test_one_thread_one_process(learner):
    with learner.server("serve", HOST, 0) as srv, ExitStack() as stack:
        serve_many(srv, 5, stack, **SERVE_MANY)
        one_thread_one_process(srv, 5, hint_zh="这个练习用非阻塞套接字在一个线程里轮询所有客户端，不要创建线程或进程。",
                               hint_en="This exercise polls every client with non-blocking sockets in one thread: do not "
                                       "start threads or processes.")


def test_client_sees_eof(learner):
    with learner.server("serve", HOST, 0) as srv, ExitStack() as stack:
        check_client_sees_eof(srv, stack, hint_zh="recv 返回 b\"\" 时要 close() 这个客户端套接字，并把它从列表和字典里删掉。",
                              hint_en="When recv returns b\"\", close() that client socket and remove it from your list "
                                      "and dicts.")


def test_survives_client_reset(learner):
    with learner.server("serve", HOST, 0) as srv, ExitStack() as stack:
        check_survives_reset(srv, stack, EXIT)


def test_releases_closed_clients(learner):
    with learner.server("serve", HOST, 0) as srv:
        check_releases_closed_clients(
            srv, EXIT, 10, hint_zh="客户端离开时要 close() 它的套接字，并从保存它的列表和字典里全部删掉。",
            hint_en="When a client leaves, close() its socket and remove it from every list and dict that holds it.",
            serve_hints=SERVE_MANY)
