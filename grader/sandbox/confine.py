"""What keeps learner processes apart from the verdict process, decided once per process.

As root, learner code runs under a dedicated unprivileged uid, claimed with a lock file so
that parallel workers and parallel runs never share one.  That uid makes RLIMIT_NPROC
work, keeps learner code from signalling the grader or writing the repository, and lets
the sweep end every process it ever started, ``setsid`` daemons included, by its owner.  Without root we fall back to process groups plus a descendant sweep.
In both modes the verdict process is a child subreaper, so orphans come back to it.
"""
from __future__ import annotations

import ctypes
import fcntl
import glob
import hashlib
import os
import shutil
import signal
import stat
import sys
import sysconfig
import tempfile
import time
from dataclasses import dataclass, field

STATE_DIR = "/var/tmp/grader"
UID_FIRST, UID_COUNT = 61000, 1000
_PR_SET_CHILD_SUBREAPER = 36
_SCRATCH_DIRS = ("/tmp", "/var/tmp", "/dev/shm")


@dataclass
class Confinement:
    uid: int | None
    python: str
    env: dict = field(default_factory=dict)
    extra_path: list = field(default_factory=list)
    subreaper: bool = False
    notes: list = field(default_factory=list)
    lock_fd: int | None = None
    namespaces: bool = False  # mount, IPC, UTS per learner process (bubblewrap)
    cgroups: bool = False  # pids + memory cgroup per learner process tree
    private_network: bool = False  # this grading run has its own network namespace (only lo)
    missing: list = field(default_factory=list)  # protections not active here, and why

    @property
    def process_limit(self) -> bool:
        return self.uid is not None

    def describe(self) -> str:
        who = f"own uid {self.uid}" if self.uid is not None else "same uid as grader (not root)"
        parts = [
            f"learner code runs as {who}",
            "limits: cpu, memory (address space), file size, open files"
            + (", processes" if self.process_limit else " (process limit inactive: needs root)"),
            "orphans: " + ("subreaper on" if self.subreaper else "subreaper unavailable"),
            "cleanup: " + ("every process of the sandbox uid killed" if self.uid is not None else "process groups + descendants"),
            "network: " + ("own namespace, only lo (no other run or host reachable)" if self.private_network
                           else "host's (other runs reachable on loopback)"),
            "files: " + ("own mount namespace (workdir, interpreter, private tmpfs), IPC namespace"
                         if self.namespaces else "host's file system (no mount namespace)"),
            "tree limits: " + ("pids + memory cgroup" if self.cgroups else "per process only (no cgroup)"),
        ]
        parts += [f"NOT ACTIVE: {m}" for m in self.missing]
        return "; ".join(parts + self.notes)

    # -- cleanup -------------------------------------------------------------------
    def sweep(self, roots=(), deadline: float = 3.0, scratch: bool = True) -> list[int]:
        """Kill everything learner code started; return pids still present (should be []).
        ``scratch``: also remove the uid's files from the host's world-writable folders
        (needless after one call under namespaces: its /tmp and /dev/shm were private)."""
        if self.uid is not None:
            return self._sweep_uid(deadline, scratch)
        return self._sweep_tree(roots, deadline)

    def kill_once(self):
        """One round of the sweep, without waiting for anything to die (see undertaker.py)."""
        if self.uid is not None:
            for pid in _proc_uid_pids(self.uid):
                _kill_if_owned(pid, self.uid)

    def _sweep_uid(self, deadline, scratch):
        # Every process of the uid, killed directly (as root) until none is left: a process
        # forked between two rounds is found by the next one, and the uid's process limit
        # bounds how many there can be. (An earlier version ran `kill -KILL -1` as the uid:
        # the same effect, at the price of starting a process on every call.)
        end = time.monotonic() + deadline
        while True:
            for pid in _proc_uid_pids(self.uid):
                _kill_if_owned(pid, self.uid)
            left = _reap_and_list(self.uid)
            if not left or time.monotonic() > end:
                if scratch:
                    _remove_scratch(self.uid)
                return left

    def _sweep_tree(self, roots, deadline):
        import psutil

        me = psutil.Process()
        end = time.monotonic() + deadline
        while True:
            victims = []
            for pid in roots:
                try:
                    os.killpg(pid, signal.SIGKILL)
                except OSError:
                    pass
                try:
                    victims += psutil.Process(pid).children(recursive=True)
                except psutil.Error:
                    pass
            # Orphans re-parented to us (we are a subreaper) that are not ours to keep.
            victims += [p for p in me.children(recursive=True) if p.pid not in _TRACKED]
            live = []
            for proc in victims:
                try:
                    proc.kill()
                    if proc.status() != psutil.STATUS_ZOMBIE:
                        live.append(proc.pid)
                except psutil.Error:
                    pass
                try:
                    os.waitpid(proc.pid, os.WNOHANG)
                except ChildProcessError:
                    pass
            if not live or time.monotonic() > end:
                return live


_TRACKED: set[int] = set()  # pids of children the grader itself waits on


def _proc_uid_pids(uid: int) -> list[int]:
    pids = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid:
                    pids.append(int(entry.name))
            except OSError:
                pass
    return pids


def _kill_if_owned(pid: int, uid: int):
    """SIGKILL ``pid`` if it still belongs to ``uid``. Through a pidfd: if the pid was freed
    and given to another process after it was listed, the check sees the new owner, and
    a process that ends after the check cannot pass its signal to a newcomer."""
    try:
        fd = os.pidfd_open(pid)
    except OSError:
        return  # already gone
    try:
        if os.stat(f"/proc/{pid}").st_uid == uid:
            signal.pidfd_send_signal(fd, signal.SIGKILL)
    except OSError:
        pass
    finally:
        os.close(fd)


def _is_zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().rsplit(b")", 1)[1].split()[0] in (b"Z", b"X")
    except (OSError, IndexError):
        return True


def _reap_and_list(uid: int) -> list[int]:
    left = []
    for pid in _proc_uid_pids(uid):
        if pid in _TRACKED:
            continue  # its Popen object waits for it
        if _is_zombie(pid):
            try:
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                pass  # someone else's child; its parent (or init) reaps it
            continue
        left.append(pid)
    return left


def _remove_scratch(uid: int):
    """Files the learner left in world-writable places (it cannot write anywhere else)."""
    for top in _SCRATCH_DIRS:
        try:
            entries = list(os.scandir(top))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.stat(follow_symlinks=False).st_uid != uid:
                    continue
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path, ignore_errors=True)
                else:
                    os.unlink(entry.path)
            except OSError:
                pass


def list_uid_processes(uid: int) -> list[int]:
    return [p for p in _proc_uid_pids(uid) if not _is_zombie(p)]


# -- set-up -----------------------------------------------------------------------
def _set_subreaper() -> bool:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _state_dir() -> str:
    """STATE_DIR, made sure to be root's alone: it sits in a world-writable folder, where
    learner code (without namespaces) could have made it first, or a link in its place,
    to have the grader lock or build in a folder the learner controls."""
    for path in (STATE_DIR, f"{STATE_DIR}/uids"):
        try:
            os.mkdir(path, 0o755)
        except FileExistsError:
            pass
        st = os.lstat(path)
        if not stat.S_ISDIR(st.st_mode) or st.st_uid != 0 or st.st_mode & 0o022:
            raise RuntimeError(f"{path} is not a folder owned and writable by root alone: remove it "
                               f"(someone else made it) / {path} 不是只属于 root 的文件夹：请删除它")
    return STATE_DIR


def _claim_uid() -> tuple[int, int]:
    _state_dir()
    for uid in range(UID_FIRST, UID_FIRST + UID_COUNT):
        fd = os.open(f"{STATE_DIR}/uids/{uid}.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return uid, fd
        except BlockingIOError:
            os.close(fd)
    raise RuntimeError("no free sandbox uid: 1000 graders running at once?")


def _others_can_read(path: str) -> bool:
    path = os.path.realpath(path)
    try:
        if not os.stat(path).st_mode & stat.S_IROTH:
            return False
        parent = os.path.dirname(path)
        while True:
            if not os.stat(parent).st_mode & stat.S_IXOTH:
                return False
            if parent == "/":
                return True
            parent = os.path.dirname(parent)
    except OSError:
        return False


def _link_or_copy(src, dst):
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _interpreter_mirror() -> tuple[str, dict, str]:
    """A copy of the interpreter and stdlib that an unprivileged uid can read.

    Interpreters installed under /root (pyenv does this) are unreadable to other uids.  The
    mirror is made of hard links where the file system allows, so it costs about 0.2 s once
    and almost no disk; it is keyed by interpreter path, build time and version.
    """
    real = os.path.realpath(sys.executable)
    stdlib = sysconfig.get_paths()["stdlib"]
    if _others_can_read(real) and _others_can_read(os.path.join(stdlib, "os.py")):
        return real, {}, ""
    key = hashlib.sha1(f"{real}|{os.stat(real).st_mtime_ns}|{sys.version}".encode()).hexdigest()[:12]
    mirror = f"{STATE_DIR}/python-{key}"
    libdir = sysconfig.get_config_var("LIBDIR") or ""
    exe = f"{mirror}/bin/{os.path.basename(real)}"
    if not os.path.exists(exe):
        _state_dir()
        tmp = tempfile.mkdtemp(prefix="python-build-", dir=STATE_DIR)
        os.chmod(tmp, 0o755)
        os.makedirs(f"{tmp}/bin", mode=0o755)
        _link_or_copy(real, f"{tmp}/bin/{os.path.basename(real)}")
        shutil.copytree(
            stdlib, f"{tmp}/lib/{os.path.basename(stdlib)}", copy_function=_link_or_copy,
            ignore=shutil.ignore_patterns("site-packages", "test", "idlelib", "tkinter", "turtledemo"),
        )
        for lib in glob.glob(os.path.join(libdir, "libpython3*.so*")):
            _link_or_copy(lib, f"{tmp}/lib/{os.path.basename(lib)}")
        for root, dirs, _files in os.walk(tmp):
            for d in dirs:
                os.chmod(os.path.join(root, d), 0o755)
        try:
            os.rename(tmp, mirror)
        except OSError:  # another worker built it first
            shutil.rmtree(tmp, ignore_errors=True)
    env = {"LD_LIBRARY_PATH": f"{mirror}/lib"}
    return exe, env, f"interpreter mirror {mirror} (the real one is not readable by the sandbox uid)"


def _readable_site_dirs() -> list[str]:
    dirs = []
    for key in ("purelib", "platlib"):
        path = sysconfig.get_paths()[key]
        if path not in dirs and _others_can_read(path):
            dirs.append(path)
    return dirs


_CURRENT: Confinement | None = None


def current() -> Confinement:
    """The confinement of this process, set up on first use."""
    global _CURRENT
    if _CURRENT is None:
        subreaper = _set_subreaper()
        from . import cgroups, namespaces

        if os.geteuid() == 0:
            uid, fd = _claim_uid()
            python, env, note = _interpreter_mirror()
            conf = Confinement(uid, python, env, _readable_site_dirs(), subreaper, [note] if note else [], fd)
            conf.sweep()  # a crashed earlier run may have left processes under this uid
        else:
            conf = Confinement(None, sys.executable, {}, _readable_site_dirs(), subreaper)
        conf.private_network = namespaces.private_network()
        if not conf.private_network:
            conf.missing.append("network namespace (needs root)")
        why = namespaces.usable(conf.uid, conf.python)
        conf.namespaces = why is None
        if why:
            conf.missing.append(f"mount/IPC namespaces: {why}")
        why = cgroups.available() if conf.uid is not None else "cgroups need root"
        conf.cgroups = why is None
        if why:
            conf.missing.append(f"cgroups: {why}")
        _CURRENT = conf
    return _CURRENT
