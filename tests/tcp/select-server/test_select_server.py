"""tcp/select-server: one process, one thread, select.select() over every socket.

A line echo over real loopback sockets: every complete line comes back unchanged and is
logged as ``<addr>: text`` (the shared checks of ``kit.echo_suite``, with this exercise's
hints from ``[suite]`` in exercise.toml).  What makes this server model: 200 clients
connected and served at once by a single thread, a client with half a line that must not
hold up the others, and closed clients removed from the select list (their descriptors
given back, and the server still serving).
"""


from kit.echo_suite import (  # noqa: F401 - the shared checks this exercise takes
    EchoServer,
    test_client_sees_eof,
    test_echoes_lines_in_order,
    test_large_line_echoed_whole,
    test_listens_with_backlog_128,
    test_logs_client_exit,
    test_logs_lines,
    test_logs_reach_a_pipe_at_once,
    test_one_thread_one_process,
    test_partial_line_does_not_block_others,
    test_reassembles_fragmented_line,
    test_restarts_on_same_port,
    test_splits_lines_sent_together,
    test_survives_client_reset,
    test_survives_reset_before_reply,
)
from kit.echo_suite import test_releases_closed_clients as test_removes_closed_clients  # noqa: F401
from kit.echo_suite import test_serves_clients_concurrently as test_serves_200_clients_at_once  # noqa: F401

# -- this exercise's own checks: the listen backlog, SO_REUSEADDR, flushed log lines ---------


