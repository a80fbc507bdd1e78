"""The probe-side kit: copied into the sandbox beside every probe.py (``tests/course.toml``).

It runs under ``python -I -S`` next to learner code, so it uses the standard library only,
and importing it does nothing but define things.  Import the part a probe needs:

- ``values``  plain(v) any value as plain data; text(obj) a str/repr that cannot fail;
  error_of(exc) a learner exception as {type, message, traceback}; call(f, *a) -> (value,
  error); attempt(get) / observe(pairs) / steps(pairs): labelled observations, each
  {"value": v} or {"raised": type, "message": text}.
- ``output``  captured_stdout(): file descriptor 1 (this process and the children it starts)
  into a file for a block.
- ``procs``   Records: a pipe every process writes JSON records into, forks recorded from
  inside each new process; state(pid), settle(pids), zombie_children(pid), descendants(),
  left(), session(sid); import_refusing_fork(name), watched_import(name), guarded(call, ...),
  run_script(path).
- ``threads`` thread_errors(): exceptions of learner threads, recorded; main_joins(): an Event
  set when the main thread joins; keep(obj); bounded / budget(): a probe function's total
  time; within(s, call): a call that may block; thread(), learner_threads(before).
- ``ipc``     Traced ints that record each hop between processes: trace() -> [{sender,
  receiver, value}]; report(imported, value, error); as_script(module).
"""
