"""One learner process: spawned confined, fed a request, read back, dumped and killed."""
from __future__ import annotations

import os
import re
import selectors
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from . import cgroups, confine, namespaces, undertaker, wire
from .services import Services

_BOOTSTRAP = (Path(__file__).with_name("bootstrap.py")).read_text(encoding="utf-8")
OUTPUT_CAP = 64 * 1024


@dataclass
class Limits:
    cpu_seconds: int = 60
    memory_mb: int = 2048
    file_mb: int = 64
    open_files: int = 256
    processes: int = 256  # threads count here too (Linux counts tasks)

    def rlimits(self, process_limit: bool) -> dict:
        out = {
            "RLIMIT_CPU": self.cpu_seconds,
            "RLIMIT_AS": self.memory_mb << 20,
            "RLIMIT_FSIZE": self.file_mb << 20,
            "RLIMIT_NOFILE": self.open_files,
            "RLIMIT_CORE": 0,
        }
        if process_limit:
            out["RLIMIT_NPROC"] = self.processes
        return out


class Output:
    """Captured stdout or stderr: the first OUTPUT_CAP bytes kept, the rest only counted."""

    def __init__(self):
        self._data = bytearray()
        self.total = 0
        self.closed = False  # every writer is gone: nothing more can come
        self.changed = threading.Condition()

    def feed(self, chunk: bytes):
        with self.changed:
            self.total += len(chunk)
            room = OUTPUT_CAP - len(self._data)
            if room > 0:
                self._data += chunk[:room]
            self.changed.notify_all()

    def close(self):
        with self.changed:
            self.closed = True
            self.changed.notify_all()

    @property
    def truncated(self) -> bool:
        return self.total > len(self._data)

    def text(self) -> str:
        with self.changed:
            return self._data.decode("utf-8", errors="replace")

    def wait_for(self, predicate, timeout: float) -> bool:
        """Block until predicate(text) holds (True), or the timeout passes or the stream
        ends without it (False)."""
        end = time.monotonic() + timeout
        with self.changed:
            while True:
                if predicate(self._data.decode("utf-8", errors="replace")):
                    return True
                left = end - time.monotonic()
                if left <= 0 or self.closed:
                    return False
                self.changed.wait(left)


class LearnerProcess:
    """A sandbox child running ``probe.function(*args, **kwargs)`` beside learner files."""

    def __init__(self, *, files: dict[str, Path], probe_path: Path, function: str, args=(), kwargs=None,
                 limits: Limits | None = None, stdin: bytes | str | None = None, argv=(), shared=(), services=None):
        """stdin: None (empty), bytes (fed, then closed) or "pipe" (kept open: see write_stdin);
        shared: paths of the grader's that this process may read, at the same place;
        services: {name: object} served to the probe's proxies (see services.py)."""
        self.conf = confine.current()
        self.limits = limits or Limits()
        self.stdout, self.stderr = Output(), Output()
        self.started = time.monotonic()
        self._private = tempfile.mkdtemp(prefix="grader-run-")  # ours only: the dump file
        self.workdir = tempfile.mkdtemp(prefix="grader-learner-")
        for name, src in files.items():  # name may hold "/" (a support package's files)
            dest = os.path.join(self.workdir, name)
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            shutil.copyfile(src, dest)
        if self.conf.uid is not None:
            for root, dirs, names in os.walk(self.workdir):
                for name in dirs + names + [""]:
                    os.chown(os.path.join(root, name), self.conf.uid, self.conf.uid)
        self._dump_path = os.path.join(self._private, "stacks.txt")
        dump_fd = os.open(self._dump_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o600)
        req_r, req_w = os.pipe()
        # The result channel is a unix socket, not a pipe: with SO_PASSCRED the kernel tells
        # us which process wrote each piece, so only the learner's main process is heard.
        self._res_sock, res_sock_w = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self._res_sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
        self._res_r, res_w = self._res_sock.fileno(), res_sock_w.detach()
        self.foreign_writers: set[int] = set()  # pids of other processes that wrote on it, ignored
        request = {
            "limits": self.limits.rlimits(self.conf.process_limit),
            "thread_stack": 1 << 20,
            "workdir": self.workdir,
            "extra_path": self.conf.extra_path,
            "probe_source": probe_path.read_text(encoding="utf-8"),
            "probe_path": os.path.join(self.workdir, probe_path.name),  # where it runs; the repository stays unnamed
            "function": function,
            "args": tuple(args),
            "kwargs": dict(kwargs or {}),
            "argv": list(argv),
        }
        self.services = Services(services) if services else None
        env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": self.workdir, "TMPDIR": self.workdir,
            "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "MALLOC_ARENA_MAX": "2", **self.conf.env,
        }
        user = {}
        if self.conf.uid is not None:
            user = {"user": self.conf.uid, "group": self.conf.uid, "extra_groups": []}
        cmd = [self.conf.python, "-I", "-S", "-X", "utf8", "-c", _BOOTSTRAP, str(req_r), str(res_w), str(dump_fd)]
        passed = [req_r, res_w, dump_fd]
        if self.services is not None:
            request["services_fd"] = self.services.child_fd
            passed.append(self.services.child_fd)
        info_r = None
        if self.conf.namespaces:
            info_r, info_w = os.pipe()
            passed.append(info_w)
            cmd = namespaces.wrap(cmd, python=self.conf.python, workdir=self.workdir, read_only=[*self.conf.extra_path, *shared],
                                  scratch_mb=max(16, self.limits.file_mb), info_fd=info_w)
        self.cgroup = None
        try:
            self.popen = subprocess.Popen(
                cmd, stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=self.workdir, env=env,
                pass_fds=passed, start_new_session=True, **user,
            )
        except BaseException:
            os.close(req_w)
            self._res_sock.close()
            if self.services is not None:
                self.services.close()
            if info_r is not None:
                os.close(info_r)
            shutil.rmtree(self.workdir, ignore_errors=True)
            shutil.rmtree(self._private, ignore_errors=True)
            raise
        finally:
            for fd in passed:
                os.close(fd)
        confine._TRACKED.add(self.popen.pid)
        # Under bubblewrap the learner's interpreter is bwrap's child: that is the process
        # the suites observe, signal and count. It waits for the request, so it (and the
        # wrapper) can be put in the tree's cgroup before any learner code runs.
        self.pid = self.popen.pid
        if info_r is not None:
            self.pid = _child_pid(info_r) or self.popen.pid
        if self.conf.cgroups:
            try:
                self.cgroup = cgroups.TreeCgroup(f"{self.conf.uid}-{self.popen.pid}", self.limits.memory_mb << 20,
                                                 self.limits.processes + 2)
                self.cgroup.add(self.pid)  # the learner's interpreter; bubblewrap's own process is not learner code
            except OSError:
                pass  # the tree already ended: reading the result says so
        try:
            _write_all(req_w, wire.dumps_request(request))
        except BrokenPipeError:
            pass  # the child died at once; reading the result says so
        finally:
            os.close(req_w)
        if isinstance(stdin, bytes):
            threading.Thread(target=_feed_stdin, args=(self.popen.stdin, stdin), daemon=True).start()
        self._drain = threading.Thread(target=self._drain_output, daemon=True)
        self._drain.start()
        self._result = None
        self._partial = bytearray()
        self._closed = False

    # -- output ---------------------------------------------------------------------
    def _drain_output(self):
        sel = selectors.DefaultSelector()
        sel.register(self.popen.stdout, selectors.EVENT_READ, self.stdout)
        sel.register(self.popen.stderr, selectors.EVENT_READ, self.stderr)
        open_streams = 2
        while open_streams:
            for key, _ in sel.select():
                chunk = os.read(key.fd, 65536)
                if chunk:
                    key.data.feed(chunk)
                else:
                    sel.unregister(key.fileobj)
                    key.data.close()
                    open_streams -= 1
        sel.close()

    def write_stdin(self, data: bytes) -> bool:
        """Type into a process started with stdin="pipe"; False once it stopped reading."""
        try:
            self.popen.stdin.write(data)
            self.popen.stdin.flush()
            return True
        except (OSError, ValueError):  # the learner closed stdin or exited
            return False

    def close_stdin(self):
        try:
            self.popen.stdin.close()
        except (OSError, ValueError):
            pass

    # -- result ---------------------------------------------------------------------
    def result(self, timeout: float):
        """('ok', value) | ('error', info) | ('exit', code) | ('timeout', None)."""
        if self._result is None:
            frame = self._read_frame(time.monotonic() + timeout)
            if frame is None:
                return ("timeout", None)
            if frame == b"":
                self._result = ("exit", self.returncode(self._wait_exit(max(0.5, timeout))))
            elif getattr(self, "_too_large", None):
                self._result = ("error", {"type": "ResultTooLarge", "traceback": "", "message":
                                f"返回值有 {self._too_large} 字节，超过上限 {wire.MAX_RESULT_BYTES} 字节 / the value returned is "
                                f"{self._too_large} bytes, more than the limit of {wire.MAX_RESULT_BYTES} bytes"})
            else:
                try:
                    self._result = tuple(wire.loads_plain(frame))
                except (wire.UnplainValue, ValueError, TypeError) as exc:
                    self._result = ("error", {"type": "UnplainValue", "message": str(exc), "traceback": ""})
        return self._result

    def _read_frame(self, end: float):
        """The length-prefixed outcome; b"" if the channel closed without one, None on timeout.

        Framing matters: a process the learner forked may hold the channel open for ever.
        """
        data = self._partial  # kept between calls: result(0) polls may each see only part of it
        sel = selectors.DefaultSelector()
        sel.register(self._res_r, selectors.EVENT_READ)
        try:
            while True:
                if len(data) >= 8:
                    size = int.from_bytes(data[:8], "big")
                    if size > wire.MAX_RESULT_BYTES:
                        self._too_large = size
                        return b"?"  # answered in result() with the size and the limit
                    if len(data) >= 8 + size:
                        return bytes(data[8:8 + size])
                if not sel.select(max(0.0, end - time.monotonic())):
                    return None
                chunk, ancillary, _, _ = self._res_sock.recvmsg(1 << 20, _CREDS_SPACE)
                if not chunk:
                    return b""
                writer = _writer_pid(ancillary)
                if writer != self.pid:
                    self.foreign_writers.add(writer)
                    continue
                data += chunk
        finally:
            sel.close()

    def _wait_exit(self, timeout):
        try:
            return self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def wait_output(self, timeout: float = 1.0):
        """Let the output drain to its end (all writers gone), so no late line is missed."""
        self._drain.join(timeout)

    def alive(self) -> bool:
        return self.popen.poll() is None

    # -- hang reports and teardown --------------------------------------------------
    def stack_dump(self, wait: float = 0.5, most: int = 12, total: float = 2.0) -> str:
        """Ask learner processes of this run, one at a time (they share one dump file), to
        write their threads' stacks under a header naming them, then read them all.

        Bounded: at most ``most`` processes and ``total`` seconds, however many processes
        a hang left or however many of them ignore the signal."""
        pids = self.process_ids()
        deadline = time.monotonic() + total
        for n, pid in enumerate(pids[:most]):
            if time.monotonic() >= deadline:
                break
            with open(self._dump_path, "a", encoding="utf-8") as f:
                f.write(f"--- 进程 / process {pid}{' (main)' if n == 0 else ''} ---\n")
            before = os.path.getsize(self._dump_path)
            try:
                os.kill(pid, signal.SIGUSR1)
            except OSError:
                continue
            end, last = min(deadline, time.monotonic() + wait), -1
            while time.monotonic() < end:  # the dump is written by a signal handler: poll its size
                size = os.path.getsize(self._dump_path)
                if size > before and size == last:
                    break
                last = size
                time.sleep(0.02)
        with open(self._dump_path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        # A process that wrote nothing (a zombie, or one that ignores the signal) keeps no header.
        text = re.sub(r"--- 进程 / process [^\n]*---\n(?=--- 进程|\Z)", "", text)[-20000:]
        if len(pids) > most:
            text += f"\n（另有 {len(pids) - most} 个进程未列出 / {len(pids) - most} more processes not shown）\n"
        return text

    def tree_ids(self) -> list[int]:
        """This process's tree, the main one first: its descendants and the members of its
        cgroup (a double-forked daemon that left the tree too). The bubblewrap wrapper is
        not learner code and is left out."""
        import psutil

        pids = [self.pid]
        try:
            pids += [c.pid for c in psutil.Process(self.pid).children(recursive=True)]
        except psutil.Error:
            pass
        if self.cgroup is not None:
            pids += [p for p in self.cgroup.pids() if p not in pids]
        return [p for p in pids if p == self.pid or not _is_wrapper(p)]

    def cpu_seconds(self) -> float:
        """CPU time of the learner's tree so far, as the kernel counts it (never what the
        learner's process says of itself): the tree's cgroup where there is one, else the
        processes alive now plus the children they waited for."""
        if self.cgroup is not None:
            measured = self.cgroup.cpu_seconds()
            if measured is not None:
                return measured
        import psutil

        total = 0.0
        for pid in self.tree_ids():
            try:
                t = psutil.Process(pid).cpu_times()
                total += t.user + t.system + t.children_user + t.children_system
            except psutil.Error:
                pass
        return total

    def process_ids(self) -> list[int]:
        """Every learner process of this run: the tree, then anything else of the sandbox uid."""
        pids = self.tree_ids()
        if self.conf.uid is not None:
            pids += [p for p in confine.list_uid_processes(self.conf.uid) if p not in pids and not _is_wrapper(p)]
        return pids

    def returncode(self, code):
        """bubblewrap reports a child killed by signal N as 128 + N; say it as Popen does."""
        if code is not None and self.conf.namespaces and code > 128:
            return -(code - 128)
        return code

    def close(self) -> list[int]:
        """Kill the whole tree and remove its files; return pids that survived (with a
        cgroup, the wait for the tree to die is left to the undertaker, which reports
        survivors at the end of the run)."""
        if self._closed:
            return []
        self._closed = True
        later = self.cgroup is not None and self.conf.uid is not None
        if later:
            self.conf.kill_once()
            left = []
        else:
            left = self.conf.sweep([self.pid], scratch=not self.conf.namespaces)
        try:
            self.popen.kill()
        except OSError:
            pass
        # The output is complete once every writer is gone: a dying process closes its
        # descriptors early, before its namespaces are torn down.
        self._drain.join(2)
        for stream in (self.popen.stdout, self.popen.stderr, self.popen.stdin):
            if stream:
                try:
                    stream.close()
                except OSError:
                    pass
        self._res_sock.close()
        if self.services is not None:
            self.services.close()
        if later:
            undertaker.bury(self._bury)
        else:
            self._remove()
        return left

    def _bury(self) -> list[int]:
        """On the undertaker's thread: kill the cgroup's members until it is empty, then
        remove it and the call's folders; the pids that would not die."""
        end = time.monotonic() + 3.0
        survivors = []
        while True:
            members = self.cgroup.pids()
            if not members:
                break
            if time.monotonic() > end:
                survivors = members
                break
            _kill_and_await(members, self.conf.uid, end)
        self._remove()
        return survivors

    def _remove(self):
        try:
            self.popen.wait(3)
        except subprocess.TimeoutExpired:
            pass
        confine._TRACKED.discard(self.popen.pid)
        if self.cgroup is not None:
            self.cgroup.remove()
        shutil.rmtree(self.workdir, ignore_errors=True)
        shutil.rmtree(self._private, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


_CREDS_SPACE = socket.CMSG_SPACE(struct.calcsize("3i"))


def _writer_pid(ancillary) -> int | None:
    """The writing process's pid from SCM_CREDENTIALS (the kernel's word, not the writer's)."""
    for level, kind, data in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS and len(data) >= 12:
            return struct.unpack("3i", data[:12])[0]
    return None


def _child_pid(info_fd: int, timeout: float = 10.0) -> int | None:
    """bubblewrap's --info-fd: a JSON object naming the pid of the command it started."""
    import json

    data = b""
    sel = selectors.DefaultSelector()
    sel.register(info_fd, selectors.EVENT_READ)
    end = time.monotonic() + timeout
    try:
        while time.monotonic() < end and sel.select(max(0.0, end - time.monotonic())):
            chunk = os.read(info_fd, 4096)
            if not chunk:
                break
            data += chunk
    finally:
        sel.close()
        os.close(info_fd)
    try:
        return int(json.loads(data)["child-pid"])
    except (ValueError, KeyError, TypeError):
        return None


def _kill_and_await(pids, uid, end: float):
    """SIGKILL these processes (if still the uid's) and wait until they have ended or ``end``."""
    import select

    poller, fds = select.poll(), []
    for pid in pids:
        try:
            fd = os.pidfd_open(pid)
        except OSError:
            continue  # gone already
        fds.append(fd)
        try:
            if os.stat(f"/proc/{pid}").st_uid == uid:
                signal.pidfd_send_signal(fd, signal.SIGKILL)
        except OSError:
            pass
        poller.register(fd, select.POLLIN)  # readable once the process has ended
    try:
        pending = set(fds)
        while pending and time.monotonic() < end:
            for fd, _ in poller.poll(max(1, int(1000 * (end - time.monotonic())))):
                poller.unregister(fd)
                pending.discard(fd)
    finally:
        for fd in fds:
            os.close(fd)


def _is_wrapper(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/comm", "rb") as f:
            return f.read().strip() == b"bwrap"
    except OSError:
        return False


def _write_all(fd, data: bytes):
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _feed_stdin(stream, data: bytes):
    try:
        stream.write(data)
        stream.close()
    except OSError:
        pass
