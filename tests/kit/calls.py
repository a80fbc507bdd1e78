"""Calling the learner, and failing a check with what a probe caught.

Probes report a learner exception as plain data, ``{"type", "message", "traceback"}`` (see
``probekit.values.error_of``), usually under ``got["error"]``, and exceptions raised in
learner threads under ``got["thread_errors"]`` (also with ``"thread"``).
"""
from __future__ import annotations

from contextlib import contextmanager

from grader.feedback import LearnerHung, fail, learner_traceback

_RUNS: dict = {}


def run(learner, function: str, *args, what: str, stdin: bytes | None = None, hang=None):
    """Run a function to the end and return its Run (value, stdout, stderr); the learner's
    exception or early exit fails the check.

    ``what`` is the learner's call as the learner should read it.  ``hang`` = (zh, en, hint_zh,
    hint_en) re-words a hang of this check; the stacks taken before the kill stay in details.
    """
    if hang is None:
        return learner.run(function, *args, stdin=stdin).checked(what)
    zh, en, hint_zh, hint_en = hang
    with hang_explained(learner, zh, en, sent=what, hint_zh=hint_zh, hint_en=hint_en):
        result = learner.run(function, *args, stdin=stdin)
    return result.checked(what)


@contextmanager
def hang_explained(learner, zh: str, en: str, *, details=None, **kw):
    """Within the block, a hang of this check's own call is reported in these words (``kw``:
    sent, hint_zh, hint_en); ``details(text)`` may rewrite the stacks taken before the kill.
    A hang of an earlier check, or a spent budget, keeps the grader's own message."""
    try:
        yield
    except LearnerHung as exc:
        if not learner.hung_here():
            raise
        text = exc.details or ""
        raise LearnerHung(zh, en, details=details(text) if details else text, **kw) from None


def shared(learner, function: str, *args):
    """One probe run that answers several checks: the same call is made once per submission in
    this grading process (an exercise's checks run in one process), which saves a sandbox start."""
    key = (str(learner.impl_root), learner.exercise.id, function, args)
    if key not in _RUNS:
        _RUNS[key] = learner.call(function, *args)
    return _RUNS[key]


def stderr_details(stderr: str) -> str | None:
    """A child's traceback goes to stderr: show its end where it may explain a failure."""
    tail = stderr.strip()
    return f"--- stderr ---\n{tail[-1500:]}" if tail else None


def raised(error: dict, what: str | None = None, stderr: str = "", **kw):
    """Fail with the learner's exception as a probe caught it.  ``what``: the call, short (e.g.
    "read(q, 2)"); without it the message says "the call"."""
    zh = f"{what} 抛出了异常" if what else "调用时抛出了异常"
    en = f"{what} raised" if what else "The call raised"
    details = learner_traceback(error.get("traceback") or "")
    tail = stderr_details(stderr)
    if tail:
        details = f"{details}\n{tail}" if details else tail
    fail(f"{zh} {error['type']}: {error['message']}", f"{en} {error['type']}: {error['message']}",
         details=details or None, **kw)


def no_error(got: dict, what: str | None = None, stderr: str = "", **kw):
    """The probe's record says the learner's code returned: no ``error``, and no exception in a
    learner thread (``thread_errors``)."""
    if got.get("error"):
        raised(got["error"], what, stderr, **kw)
    thread_raised(got.get("thread_errors"), **kw)


def thread_raised(errors, **kw):
    """Fail with the first of these exceptions raised in learner threads, if any (each
    ``{"thread", "type", "message", "traceback"}``)."""
    for error in errors or []:
        fail(f"线程 {error['thread']} 里抛出了异常 {error['type']}: {error['message']}",
             f"Thread {error['thread']} raised {error['type']}: {error['message']}",
             details=learner_traceback(error.get("traceback") or "") or None, **kw)


def lines(text: str) -> list[str]:
    """Printed lines ("\\n" only: a "\\r" stays inside its line)."""
    out = text.split("\n")
    return out[:-1] if out and out[-1] == "" else out
