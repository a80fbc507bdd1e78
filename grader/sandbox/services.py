"""Objects of the verdict side that learner code uses through a proxy.

A recorder that lives in the learner's process can be rewritten by the learner's code (its
counts reset, its log replaced) before the probe reports it. A suite that must know what
learner code *did* with an object (which thread read, what was written, in which order)
keeps the object here instead: the sandbox child gets one end of a unix socket, the probe
kit's ``probekit.remote.proxy(name)`` turns method calls into requests on it, and a thread
of ours answers them. Whatever the learner's code does in its own process, the record is
only what reached us, in the order it reached us, with the kernel's word for the pid of
the process that sent each request.

A served object lists the methods learner code may call in ``REMOTE``; each is called as
``method(caller, *args)``, ``caller`` being a :class:`Caller`. Requests and replies are
plain values (see wire.py), one datagram each, at most 64 KiB.
"""
from __future__ import annotations

import marshal
import socket
import struct
import threading
from dataclasses import dataclass

from . import wire

MAX_MESSAGE = 64 << 10
_CREDS_SPACE = socket.CMSG_SPACE(struct.calcsize("3i"))


@dataclass(frozen=True)
class Caller:
    """Who sent a request: the pid as the kernel reports it; the thread (its name and ident)
    as the proxy says."""

    pid: int | None
    thread: str
    ident: int

    @property
    def key(self) -> tuple:
        """One thread of one process."""
        return (self.pid, self.ident)


class Services:
    """Serves ``objects`` ({name: object}) to one learner process tree."""

    def __init__(self, objects: dict):
        self.objects = dict(objects)
        self._ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._ours.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
        self.child_fd = theirs.detach()  # passed to the sandbox child, then closed here by the spawner
        self._thread = threading.Thread(target=self._serve, daemon=True, name="grader-services")
        self._thread.start()

    def _serve(self):
        while True:
            try:
                data, ancillary, _, _ = self._ours.recvmsg(MAX_MESSAGE, _CREDS_SPACE)
            except OSError:
                return
            if not data:
                return  # every holder of the other end is gone
            try:
                reply = ("ok", self._answer(data, ancillary))
            except Exception as exc:  # the learner's side gets the reason; our side carries on
                reply = ("error", f"{type(exc).__name__}: {exc}"[:2000])
            try:
                self._ours.send(marshal.dumps(reply, 4))
            except (OSError, ValueError):
                try:
                    self._ours.send(marshal.dumps(("error", "reply not a plain value"), 4))
                except OSError:
                    return

    def _answer(self, data: bytes, ancillary):
        request = wire.loads_plain(data)
        if not (isinstance(request, tuple) and len(request) == 4):
            raise ValueError("a request is (object, method, args, thread)")
        name, method, args, thread = request
        if not (isinstance(thread, tuple) and len(thread) == 2 and isinstance(thread[1], int)):
            raise ValueError("the thread is (name, ident)")
        target = self.objects.get(name)
        if target is None or method not in getattr(target, "REMOTE", ()):
            raise AttributeError(f"{name}.{method} is not served")
        pid = None
        for level, kind, cred in ancillary:
            if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS and len(cred) >= 12:
                pid = struct.unpack("3i", cred[:12])[0]
        caller = Caller(pid, str(thread[0])[:200], thread[1])
        return getattr(target, method)(caller, *(args if isinstance(args, tuple) else (args,)))

    def close(self):
        try:
            self._ours.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._ours.close()
        self._thread.join(2)

