"""What a suite holds in its hands: the learner's implementation of one exercise.

``Learner`` runs functions beside the learner's files in a sandbox child, and turns every
way that can go wrong into a message for the learner.  A function is named either as a
probe function (``"observe"``: trusted code in the suite's ``probe.py``) or as the
learner's own (``"module:function"``: the learner's module is imported and that function
called, with no probe in between).  It also enforces the exercise's budget: once a check
has hung, the exercise's remaining checks fail at once instead of each waiting out its own
timeout.
"""
from __future__ import annotations

import socket
import time
from dataclasses import dataclass, field
from pathlib import Path

from .catalog import Exercise
from .feedback import LearnerCrashed, LearnerFailure, LearnerHung, SubmissionInvalid, learner_traceback, show
from .sandbox import LearnerProcess, Limits, Output


@dataclass
class ExerciseState:
    """Per exercise, per grading process (an exercise's checks share one xdist worker)."""

    used: float = 0.0
    hung_in: str | None = None  # the first check of the exercise whose call hung
    last_hung: str | None = None  # the latest one
    invalid: SubmissionInvalid | None = None
    validated: bool = False


_STATES: dict[tuple[str, str], ExerciseState] = {}


def state_for(exercise: Exercise, impl_root: Path) -> ExerciseState:
    return _STATES.setdefault((exercise.id, str(impl_root)), ExerciseState())


def validate(exercise: Exercise, impl_root: Path) -> SubmissionInvalid | None:
    """Missing files, undecodable bytes and syntax errors, found without running anything."""
    for name, path in exercise.files_in(impl_root).items():
        shown = f"{exercise.id}/{name}"
        if not path.is_file():
            return SubmissionInvalid(
                f"找不到文件 {shown}（在 {impl_root} 下）。", f"File {shown} not found (under {impl_root}).",
                hint_zh="检查文件名和文件夹结构是否与题目一致。", hint_en="Check the file name and folder layout against the statement.",
            )
        data = path.read_bytes()
        try:
            source = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            return SubmissionInvalid(
                f"{shown} 不是 UTF-8 编码（第 {line} 行，字节 {exc.start}）。",
                f"{shown} is not UTF-8 encoded (line {line}, byte {exc.start}).",
                hint_zh="请把文件另存为 UTF-8。", hint_en="Save the file as UTF-8.",
            )
        try:
            compile(source, shown, "exec", dont_inherit=True)
        except SyntaxError as exc:
            return SubmissionInvalid(
                f"{shown} 有语法错误：第 {exc.lineno} 行：{exc.msg}", f"{shown} has a syntax error: line {exc.lineno}: {exc.msg}",
                got=(exc.text or "").rstrip(),
            )
        except (ValueError, RecursionError, MemoryError) as exc:
            return SubmissionInvalid(f"{shown} 无法编译：{exc}", f"{shown} cannot be compiled: {exc}")
    return None


@dataclass
class Run:
    """Everything a finished learner call left: its value or error, and its output."""

    value: object = None
    error: dict | None = None
    exit_code: int | None = None
    stdout: str = ""
    stderr: str = ""
    elapsed: float = 0.0
    cpu_seconds: float = 0.0  # the whole tree's CPU time, as the kernel counted it

    @property
    def ok(self) -> bool:
        return self.error is None and self.exit_code is None

    def checked(self, what: str) -> Run:
        """This run, if the call returned; otherwise the learner's exception or early exit,
        raised as the check's failure (``what``: the call as the learner should read it)."""
        if self.error is not None:
            raise crashed(self.error, what, self.stderr)
        if self.exit_code is not None:
            raise exited(self.exit_code, what, self.stderr)
        return self


@dataclass
class Learner:
    exercise: Exercise
    impl_root: Path
    check: str
    state: ExerciseState
    _procs: list = field(default_factory=list)
    _shared: list = field(default_factory=list)
    _served: dict = field(default_factory=dict)

    def serve(self, **objects):
        """Serve these objects of the suite's to this check's later learner processes: the
        probe reaches them with ``probekit.remote.proxy(name)``, and what learner code did
        with them is recorded here, out of its reach (see grader/sandbox/services.py)."""
        self._served.update(objects)

    def share(self, *paths):
        """Let this check's later learner processes read these files or folders of the
        grader's (e.g. a library the test compiled), read-only and at the same path; the
        sandbox shows them nothing else of the machine."""
        self._shared += [str(p) for p in paths]

    # -- guards ---------------------------------------------------------------------
    def ensure_runnable(self):
        if not self.state.validated:
            self.state.invalid = validate(self.exercise, self.impl_root)
            self.state.validated = True
        if self.state.invalid is not None:
            raise self.state.invalid
        if self.state.used > self.exercise.budget:
            raise LearnerHung(
                f"未运行：本练习已用完 {self.exercise.budget:g} 秒的时间预算。",
                f"Not run: this exercise used up its budget of {self.exercise.budget:g} s.",
            )

    def hung_here(self) -> bool:
        """This check's own call hung (not an earlier check of the exercise, nor a spent budget):
        a suite may then explain the hang in its own words."""
        return self.state.last_hung == self.check

    def after_hang_cap(self) -> float | None:
        """After one check of the exercise hung, the later ones still run (a hang costs only
        what hangs), but each waits at most this long, so that a submission that hangs
        everywhere cannot spend the whole budget on a few checks."""
        if self.state.hung_in is None or self.state.hung_in == self.check:
            return None
        return max(1.0, self.exercise.timeout / 3)

    def timeout(self, asked: float | None = None) -> float:
        left = self.exercise.budget - self.state.used
        limit = min(asked or self.exercise.timeout, left)
        cap = self.after_hang_cap()
        return max(0.1, limit if cap is None else min(limit, cap))

    # -- processes ------------------------------------------------------------------
    def start(self, function: str, *args, stdin: bytes | str | None = None, argv=(), **kwargs) -> LearnerProcess:
        self.ensure_runnable()
        files = {**self.exercise.probe_files, **self.exercise.files_in(self.impl_root)}
        proc = LearnerProcess(
            files=files, probe_path=self.exercise.probe, function=function,
            args=args, kwargs=kwargs, limits=Limits(**self.exercise.limits), stdin=stdin, argv=argv,
            shared=self._shared, services=self._served,
        )
        self._procs.append(proc)
        return proc

    def run(self, function: str, *args, timeout: float | None = None, stdin: bytes | None = None, **kwargs) -> Run:
        """Run a function to the end; a learner exception is returned, a hang raised.

        ``function``: a probe function's name, or ``"module:function"`` for the learner's own.
        """
        proc = self.start(function, *args, stdin=stdin, **kwargs)
        limit = self.timeout(timeout)
        kind, payload = proc.result(limit)
        elapsed = time.monotonic() - proc.started
        self.state.used += elapsed
        if kind == "timeout":
            raise self.hung(proc, call_text(function, args), limit)
        cpu = proc.cpu_seconds()
        self._finish(proc)  # kills what is left, so the output below is complete
        run = Run(stdout=proc.stdout.text(), stderr=proc.stderr.text(), elapsed=elapsed, cpu_seconds=cpu)
        if kind == "ok":
            run.value = payload
        elif kind == "error":
            payload["traceback"] = self.shown_paths(proc, payload.get("traceback", ""))
            run.error = payload
        else:
            run.exit_code = payload
        return run

    def call(self, function: str, *args, timeout: float | None = None, stdin: bytes | None = None, **kwargs):
        """Run a function (probe or ``"module:function"``) and return its plain value;
        anything else fails the check."""
        run = self.run(function, *args, timeout=timeout, stdin=stdin, **kwargs)
        return run.checked(call_text(function, args)).value

    def server(self, function: str, *args, kind: str = "tcp", **kwargs) -> Server:
        """Start a learner server (port 0: the OS picks) and wait until it listens."""
        proc = self.start(function, *args, **kwargs)
        return Server(self, proc, call_text(function, args), kind)._wait_ready()

    def program(self, function: str, *args, **kwargs) -> Program:
        """Start a function (probe or ``"module:function"``) that keeps running and reads what
        the test types on stdin."""
        proc = self.start(function, *args, stdin="pipe", **kwargs)
        return Program(self, proc, call_text(function, args))

    def hung(self, proc: LearnerProcess, what: str, waited: float, zh: str | None = None, en: str | None = None) -> LearnerHung:
        cap, earlier = self.after_hang_cap(), self.state.hung_in
        if earlier is None:
            self.state.hung_in = self.check
        self.state.last_hung = self.check
        began = time.monotonic()
        stacks = self.shown_paths(proc, proc.stack_dump())
        self.state.used += time.monotonic() - began  # the dump is the learner's time too
        cut_zh = cut_en = ""
        if cap is not None and waited <= cap:
            cut_zh = f"（检查 {earlier} 已经卡住过，所以本检查只等了 {waited:g} 秒）"
            cut_en = f" (check {earlier} hung earlier, so this check waited only {waited:g} s)"
        return LearnerHung(
            (zh or f"{what} 在 {waited:g} 秒内没有完成（卡住了）。") + cut_zh,
            (en or f"{what} did not finish within {waited:g} s (it hung).") + cut_en,
            hint_zh="看下面每个线程卡在哪一行。", hint_en="See below where each thread was stuck.",
            details="卡住时的调用栈 / stacks when stuck:\n" + (learner_traceback(stacks) or "(none written)")
            + _output_tail(proc.stdout, proc.stderr),
        )

    def shown_paths(self, proc: LearnerProcess, text: str) -> str:
        """Learner file paths as the learner knows them (exercise/file.py), not the sandbox's."""
        return text.replace(proc.workdir + "/", f"{self.exercise.id}/")

    def _finish(self, proc: LearnerProcess):
        left = proc.close()
        self._procs.remove(proc)
        if left:
            raise RuntimeError(f"sandbox: processes {left} survived the sweep")

    def close(self):
        for proc in list(self._procs):
            self._finish(proc)


def call_text(function: str, args) -> str:
    """The call as the learner reads it: ``"mod:fn"`` is shown as ``mod.fn(...)``."""
    return show(f"{function.replace(':', '.')}({', '.join(repr(a) for a in args)})")


def crashed(error: dict, what: str, stderr: str = "") -> LearnerCrashed:
    if error["type"] == "UnplainValue":
        return LearnerCrashed(
            f"{what} 返回的不是普通的值（数字、字符串、列表、字典……）：{error['message']}",
            f"{what} returned something that is not a plain value (number, str, list, dict…): {error['message']}",
        )
    return LearnerCrashed(
        f"{what} 抛出了异常 {error['type']}: {error['message']}",
        f"{what} raised {error['type']}: {error['message']}",
        details=learner_traceback(error.get("traceback", "")) + _tail("stderr", stderr),
    )


def exited(code, what: str, stderr: str = "") -> LearnerCrashed:
    return LearnerCrashed(
        f"{what} 还没返回结果，进程就退出了（退出码 {code}）。",
        f"The process running {what} exited (code {code}) before returning a result.",
        hint_zh="不要在模块里调用 exit()/os._exit()。", hint_en="Do not call exit()/os._exit() in your module.",
        details=_tail("stderr", stderr),
    )


def _tail(label: str, text: str, keep: int = 2000) -> str:
    text = text.strip()
    if not text:
        return ""
    return f"\n--- {label} (last {keep} chars) ---\n{text[-keep:]}"


def _output_tail(stdout: Output, stderr: Output) -> str:
    return _tail("stdout", stdout.text()) + _tail("stderr", stderr.text())


class Program:
    """A running learner process the test talks to while it runs: stdin, stdout, its tree.

    ``learner.program`` starts one with an open stdin pipe (a client typed into by the
    test); ``Server`` adds a listening address.  Used as a context manager, a socket
    timeout inside the block is reported as a hang and the process is always killed.
    """

    noun_zh, noun_en = "程序", "program"

    def __init__(self, learner: Learner, proc: LearnerProcess, what: str):
        self.learner, self.proc, self.what = learner, proc, what

    @property
    def stdout(self) -> Output:
        return self.proc.stdout

    @property
    def stderr(self) -> Output:
        return self.proc.stderr

    @property
    def timeout(self) -> float:
        """How long to wait for one reply or line: the exercise's timeout, shortened after an
        earlier hang of the exercise and by what is left of its budget."""
        return self.learner.timeout()

    @property
    def pid(self) -> int:
        """The program's main process (the sandbox child)."""
        return self.proc.pid

    # -- talking to it --------------------------------------------------------------
    def type(self, text: str) -> bool:
        """Write text to the program's stdin, as a user typing; False if it stopped reading."""
        return self.proc.write_stdin(text.encode("utf-8"))

    def type_line(self, line: str) -> bool:
        return self.type(line + "\n")

    def close_stdin(self):
        """End of input (Ctrl-D)."""
        self.proc.close_stdin()

    def expect(self, needle: str, zh: str, en: str, *, start: int = 0, timeout: float | None = None, **kw) -> str:
        """Wait until ``needle`` appears in stdout (after character ``start``); fail otherwise.

        Returns the whole stdout so far, so a test can continue from ``len(...)``.
        """
        limit = timeout or self.timeout
        if not self.stdout.wait_for(lambda text: needle in text[start:], limit):
            self._raise_if_crashed()
            self.proc.wait_output(0.2)
            raise LearnerFailure(
                zh, en, expected=needle, got=self.stdout.text()[start:][-SHOW_OUTPUT:] or "(没有输出 / no output)",
                details=_tail("stderr", self.stderr.text()), **kw,
            )
        return self.stdout.text()

    def _raise_if_crashed(self):
        """The program ended (its output closed): report its exception or exit, not silence."""
        if self.stdout.closed:
            kind, payload = self.proc.result(0.5)
            if kind == "error":
                raise crashed(self._shown(payload), self.what, self.proc.stderr.text())
            if kind == "exit":
                raise exited(payload, self.what, self.proc.stderr.text())

    def _shown(self, error: dict) -> dict:
        return {**error, "traceback": self.learner.shown_paths(self.proc, error.get("traceback", ""))}

    def wait_exit(self, zh: str, en: str, timeout: float | None = None, **kw):
        """The function's return value once the program ends by itself within ``timeout``.

        Not ending in time fails this check only (with the stacks of where each thread is);
        the exercise's other checks still run.
        """
        kind, _ = self.proc.result(timeout or self.timeout)
        if kind == "timeout":
            kw.setdefault("details", "各线程所在位置 / where each thread is:\n" + (self.stacks() or "(none written)"))
            raise LearnerFailure(zh, en, **kw)
        return self.result(1.0)

    # -- looking at it --------------------------------------------------------------
    def hang(self, zh: str, en: str) -> LearnerHung:
        """A reply that never came: report it with the process's stacks and stop the exercise."""
        return self.learner.hung(self.proc, self.what, self.timeout, zh, en)

    def cpu_seconds(self) -> float:
        """CPU time the program's whole tree used so far, as the kernel counted it: a fact
        about the learner's code that its own process cannot change."""
        return self.proc.cpu_seconds()

    def processes(self):
        """(main process, [every other process of its tree]) as psutil objects. The tree is
        read from the cgroup where there is one, so a worker that double-forked away from
        its parent is still counted."""
        import psutil

        try:
            main = psutil.Process(self.proc.pid)
        except psutil.Error:
            return None, []
        others = []
        for pid in self.proc.tree_ids()[1:]:
            try:
                others.append(psutil.Process(pid))
            except psutil.Error:
                pass
        return main, others

    def pids(self) -> list[int]:
        """Every process of the program's tree now, main first; from its cgroup where there is
        one (cheap enough to sample every few milliseconds), else from the process tree."""
        cgroup = self.proc.cgroup
        if cgroup is None:
            return self.proc.tree_ids()
        return [self.proc.pid] + [p for p in cgroup.pids() if p != self.proc.pid]

    def alive(self) -> bool:
        return self.proc.alive()

    def stacks(self) -> str:
        """Where each of the program's threads and processes is right now (it keeps running),
        with learner file paths as the learner knows them."""
        return learner_traceback(self.learner.shown_paths(self.proc, self.proc.stack_dump()))

    def outcome(self, timeout: float = 0.0) -> tuple[str, object]:
        """How the program ended, without failing the check: ``("ok", value)``, ``("error",
        {type, message, traceback})``, ``("exit", code)``, or ``("timeout", None)`` while it
        still runs after ``timeout`` seconds."""
        kind, payload = self.proc.result(timeout)
        return kind, (self._shown(payload) if kind == "error" else payload)

    def wait_output(self, timeout: float = 1.0):
        """Give output still in the pipes (e.g. a traceback after a crash) time to arrive."""
        self.proc.wait_output(timeout)

    def result(self, timeout: float | None = None):
        """The probe function's return value (for programs that end by themselves)."""
        limit = self.learner.timeout(timeout)
        kind, payload = self.proc.result(limit)
        if kind == "timeout":
            raise self.learner.hung(self.proc, self.what, limit)
        self.proc.wait_output()
        if kind == "error":
            raise crashed(self._shown(payload), self.what, self.proc.stderr.text())
        if kind == "exit":
            raise exited(payload, self.what, self.proc.stderr.text())
        return payload

    def close(self):
        if self.proc in self.learner._procs:
            self.learner.state.used += time.monotonic() - self.proc.started
            self.learner._finish(self.proc)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is not None and issubclass(exc_type, (TimeoutError, socket.timeout)):
                raise self.hang(
                    f"等待{self.noun_zh} {self.what} 的回复超过 {self.timeout:g} 秒。",
                    f"Waited more than {self.timeout:g} s for a reply from {self.noun_en} {self.what}.",
                ) from None
            if exc_type is not None and issubclass(exc_type, OSError):
                self.proc.wait_output()
                raise LearnerCrashed(
                    f"与{self.noun_zh} {self.what} 的连接出错：{exc}", f"The connection to {self.noun_en} {self.what} failed: {exc}",
                    hint_zh=f"{self.noun_zh}可能已经崩溃，或提前关闭了连接。",
                    hint_en=f"The {self.noun_en} may have crashed or closed the connection early.",
                    details=_output_tail(self.proc.stdout, self.proc.stderr),
                ) from None
        finally:
            self.close()
        return False


SHOW_OUTPUT = 2000  # characters of learner output shown when an expected line is missing


class Server(Program):
    """A running learner server: its address, its processes, its output."""

    noun_zh, noun_en = "服务器", "server"

    def __init__(self, learner: Learner, proc: LearnerProcess, what: str, kind: str):
        super().__init__(learner, proc, what)
        self.kind = kind
        self.host, self.port = "127.0.0.1", None

    @property
    def address(self):
        return (self.host, self.port)

    def _wait_ready(self) -> Server:
        import psutil

        limit = self.learner.timeout()
        end = time.monotonic() + limit
        want = psutil.CONN_LISTEN if self.kind == "tcp" else psutil.CONN_NONE
        while True:
            for pid in self.proc.process_ids():
                try:
                    conns = psutil.Process(pid).net_connections(kind=self.kind)
                except psutil.Error:
                    continue
                for conn in conns:
                    if conn.status == want and conn.laddr:
                        self.port = conn.laddr.port
                        return self
            kind, payload = self.proc.result(0)
            if kind != "timeout":
                self.close()
                if kind == "error":
                    raise crashed(self._shown(payload), self.what, self.proc.stderr.text())
                raise LearnerCrashed(
                    f"服务器 {self.what} 还没开始监听就结束了。", f"Server {self.what} ended before it listened.",
                    got=payload, details=_output_tail(self.proc.stdout, self.proc.stderr),
                )
            if time.monotonic() > end:
                raise self.learner.hung(
                    self.proc, self.what, limit,
                    f"服务器 {self.what} 在 {limit:g} 秒内没有开始监听。", f"Server {self.what} was not listening after {limit:g} s.",
                )
            time.sleep(0.005)  # polling the kernel's socket table for the listening socket

    def connect(self, timeout: float | None = None) -> socket.socket:
        return socket.create_connection(self.address, timeout=timeout or self.timeout)


__all__ = ["Learner", "Run", "Program", "Server", "LearnerFailure", "call_text", "validate", "state_for"]
