"""Namespaces: what learner code can see of the machine.

- **Network, per grading run.** The grading process leaves the host's network namespace
  for one of its own holding only ``lo`` before any worker, peer or learner process starts;
  all of them inherit it. Learner code can reach the suite's peers on 127.0.0.1 and nothing
  else: no other grading run (its sockets live in another namespace), no other host.
- **Mount, IPC and UTS, per learner process** (bubblewrap, run as the sandbox uid through an
  unprivileged user namespace): the file system shows only the interpreter, the readable
  site-packages, a few files of ``/etc`` and the call's own workdir; ``/tmp``, ``/var/tmp``,
  ``/dev/shm`` and ``/run/lock`` are small private tmpfs; ``/proc`` is mounted anew; SysV
  IPC objects and POSIX message queues live in a namespace that dies with the tree.

No pid namespace: the suites observe learner processes from outside by their host pids.
"""
from __future__ import annotations

import ctypes
import fcntl
import functools
import os
import shutil
import socket
import struct
import subprocess

_CLONE_NEWNET = 0x40000000
_SIOCGIFFLAGS, _SIOCSIFFLAGS, _IFF_UP = 0x8913, 0x8914, 0x1
ETC_FILES = ("hosts", "passwd", "group", "nsswitch.conf", "localtime", "ld.so.cache", "services", "protocols",
             "gai.conf", "host.conf")


_NETNS_ENV = "GRADER_PRIVATE_NETNS"  # set by the process that made the namespace; workers inherit it


def _netns() -> str:
    try:
        return os.readlink("/proc/self/ns/net")
    except OSError:
        return ""


def private_network() -> bool:
    """Whether this process lives in a network namespace a grading run made for itself."""
    return bool(_netns()) and os.environ.get(_NETNS_ENV) == _netns()


def enter_private_network() -> bool:
    """Move this process into a new network namespace with ``lo`` up (root only)."""
    if private_network():
        return True
    if os.geteuid() != 0:
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(_CLONE_NEWNET) != 0:
        return False
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        req = struct.pack("16sH14x", b"lo", 0)
        flags = struct.unpack("16sH14x", fcntl.ioctl(s.fileno(), _SIOCGIFFLAGS, req))[1]
        fcntl.ioctl(s.fileno(), _SIOCSIFFLAGS, struct.pack("16sH14x", b"lo", flags | _IFF_UP))
    os.environ[_NETNS_ENV] = _netns()
    return True


def _bind_root(python: str) -> str:
    """The folder holding the interpreter's bin/ and lib/ (a mirror, /usr, /usr/local, …)."""
    return os.path.dirname(os.path.dirname(os.path.realpath(python)))


def _system_dirs() -> list[str]:
    args = ["--ro-bind", "/usr", "/usr"]
    for top in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = f"/{top}"
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    for name in ETC_FILES:
        args += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    return args


def wrap(cmd: list[str], *, python: str, workdir: str | None, read_only=(), scratch_mb: int = 64,
         info_fd: int | None = None) -> list[str]:
    """``cmd`` run inside fresh mount, IPC and UTS namespaces that show only what it needs."""
    scratch = str(max(1, scratch_mb) << 20)
    args = ["bwrap", "--unshare-user", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
            "--new-session", "--hostname", "sandbox"]
    args += _system_dirs()
    args += ["--proc", "/proc", "--dev", "/dev", "--mqueue", "/dev/mqueue"]
    for path in ("/tmp", "/var/tmp", "/dev/shm"):
        args += ["--perms", "1777", "--size", scratch, "--tmpfs", path]
    args += ["--perms", "1777", "--size", str(1 << 20), "--tmpfs", "/run/lock"]
    root = _bind_root(python)
    if not root.startswith("/usr"):
        args += ["--ro-bind", root, root]
    for path in read_only:
        if os.path.exists(path):
            args += ["--ro-bind", path, path]
    if workdir:
        args += ["--bind", workdir, workdir, "--chdir", workdir]
    if info_fd is not None:
        args += ["--info-fd", str(info_fd)]
    return args + ["--", *cmd]


@functools.cache
def usable(uid: int | None, python: str) -> str | None:
    """None if bubblewrap works here for this uid; otherwise why not (said at the start)."""
    if shutil.which("bwrap") is None:
        return "bubblewrap not installed (apt-get install bubblewrap)"
    if uid is None:
        return "namespaces need root (to run as the sandbox uid)"
    probe = wrap([python, "-I", "-S", "-c", "pass"], python=python, workdir=None)
    try:
        run = subprocess.run(probe, user=uid, group=uid, extra_groups=[], capture_output=True, timeout=20,
                             env={"PATH": "/usr/bin:/bin"}, cwd="/")
    except (OSError, subprocess.SubprocessError) as exc:
        return f"bubblewrap failed: {exc}"
    if run.returncode != 0:
        return "bubblewrap failed: " + run.stderr.decode(errors="replace").strip()[:200]
    return None
