"""tcp/select-server: one process, one thread, select.select() over every socket.

A line echo over real loopback sockets: every complete line comes back unchanged and is
logged as ``<addr>: text`` (shared checks in ``grader.tcpecho``).  What makes this server
model: 200 clients connected and served at once by a single thread, a client with half a
line that must not hold up the others, and closed clients removed from the select list
(their descriptors given back, and the server still serving).
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

EXIT = "客户端{addr}已退出！"
SERVE_MANY = dict(
    hint_zh="把每个新客户端的套接字加进 select 的列表；select 返回后，只对可读的套接字 recv 一次，然后回到 select。",
    hint_en="Add every new client's socket to select's list; after select returns, recv once from each readable "
            "socket, then go back to select.",
)


def test_echoes_lines_in_order(learner):
    with learner.server("serve", HOST, 0) as srv, ExitStack() as stack:
        client = open_client(srv, stack)
        for line in ["hello", "你好，服务器！", "select ✓ " * 60, "bye"]:
            echo(srv, client, line.encode())


def test_logs_lines(learner):
    with learner.server("serve", HOST, 0) as srv, ExitStack() as stack:
        check_logs_lines(srv, stack, hint_zh="每收到完整的一行，print(f\"<{addr_dict[sock]}>: {文本}\", flush=True)，文本不含 \\n。",
                         hint_en="For each complete line, print(f\"<{addr_dict[sock]}>: {text}\", flush=True), text "
                                 "without the \\n.")


def test_logs_client_exit(learner):
    with learner.server("serve", HOST, 0) as srv:
        check_logs_client_exit(
            srv, EXIT, hint_zh="recv 返回 b\"\" 表示客户端关闭了连接：打印 客户端{addr}已退出！（flush=True），关闭套接字并把它从列表里删掉。",
            hint_en="recv returning b\"\" means the client closed: print 客户端{addr}已退出！ (flush=True), close the socket "
                    "and remove it from the list.")


def test_reassembles_fragmented_line(learner):
    with learner.server("serve", HOST, 0) as srv, ExitStack() as stack:
        check_fragmented_line(srv, stack)


def test_splits_lines_sent_together(learner):
    with learner.server("serve", HOST, 0) as srv, ExitStack() as stack:
        check_lines_sent_together(srv, stack)


def test_large_line_echoed_whole(learner):
    with learner.server("serve", HOST, 0) as srv, ExitStack() as stack:
        check_large_line(srv, stack, hint_zh="一行可能比一次 recv 大得多：把收到的块攒进这个客户端的缓冲区，遇到 b\"\\n\" 再处理，"
                                             "用 sendall 发回。",
                         hint_en="A line may be much longer than one recv: collect the chunks in this client's buffer "
                                 "until its b\"\\n\", and send it back with sendall.")


def test_serves_200_clients_at_once(learner):
    with learner.server("serve", HOST, 0) as srv, ExitStack() as stack:
        serve_many(srv, 200, stack, **SERVE_MANY)


def test_partial_line_does_not_block_others(learner):
    with learner.server("serve", HOST, 0) as srv, ExitStack() as stack:
        check_partial_line_does_not_block(
            srv, stack, hint_zh="select 说可读之后只 recv 一次：不要为了凑齐一行而循环 recv 同一个客户端（那会阻塞），把收到的部分"
                                "存进它的缓冲区，回到 select。",
            hint_en="After select says readable, recv once: do not loop on recv for one client until its line is complete "
                    "(that blocks); keep the part in its buffer and go back to select.")


def test_one_thread_one_process(learner):
    with learner.server("serve", HOST, 0) as srv, ExitStack() as stack:
        serve_many(srv, 5, stack, **SERVE_MANY)
        one_thread_one_process(srv, 5, hint_zh="这个练习用 select 在一个线程里服务所有客户端，不要创建线程或进程。",
                               hint_en="This exercise serves every client with select in one thread: do not start "
                                       "threads or processes.")


def test_client_sees_eof(learner):
    with learner.server("serve", HOST, 0) as srv, ExitStack() as stack:
        check_client_sees_eof(srv, stack, hint_zh="recv 返回 b\"\" 时要 close() 这个套接字，并把它从 select 的列表和字典里删掉。",
                              hint_en="When recv returns b\"\", close() the socket and remove it from select's list and "
                                      "your dicts.")


def test_survives_client_reset(learner):
    with learner.server("serve", HOST, 0) as srv, ExitStack() as stack:
        check_survives_reset(srv, stack, EXIT)


def test_removes_closed_clients(learner):
    with learner.server("serve", HOST, 0) as srv:
        check_releases_closed_clients(
            srv, EXIT, 50, hint_zh="客户端离开时要 close() 它的套接字，并从 select 的列表和所有字典里删掉（字典里留着套接字，"
                                   "它就不会被释放）。",
            hint_en="When a client leaves, close() its socket and remove it from select's list and every dict (a socket "
                    "left in a dict is never released).", serve_hints=SERVE_MANY)
