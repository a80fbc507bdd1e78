"""The test-side kit of the course: what the grading suites share (imported as ``kit``).

It builds on the engine's public surface only (``grader.feedback``, ``grader.net``, the
``learner`` fixture and the Program/Server it starts).  Modules:

- ``kit.calls``      run(learner, fn, *a, what=, hang=) -> Run; hang_explained(learner, zh, en): a
  hang of this check in the suite's words; shared(learner, fn, *a): one run for several checks;
  raised(error, what) / no_error(got, what) / thread_raised(errors): fail with what a probe
  caught; lines(text); stderr_details(stderr).
- ``kit.values``     expect(observed, expected, zh, en): labelled observations against expected
  values; Raises("TypeError") as an expected value.
- ``kit.processes``  imported/guarded(got, file): how importing the module went; none_escaped;
  nothing_left; wait_no_children(program); children(got); hops_of / one_hop_each: traced items.
- ``kit.lines``      line protocols over sockets: connect, LineReader, echo_line, log_has, same,
  shown, output_tail, main_process, count/settle (threads, fds), fd_kinds, wait_output,
  accept_from, listening, waiting_for_input (a program's thread blocked in input()),
  no_listener (a stopped server's port free again), restart_on_same_port, listen_backlog / expected_backlog (from the kernel).
- ``kit.echo``       the echo servers: open_client, echo, answer, serve_many, wait_log, paused,
  one_thread_one_process, crash_details, stacks, ensure_nofile, open_file_limit.
- ``kit.echo_suite`` the echo servers' shared checks (test_*), parametrised by ``[suite]`` of
  exercise.toml (``EchoServer.of(exercise)``).
"""
