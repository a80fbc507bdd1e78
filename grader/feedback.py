"""What a learner reads when a check fails: 中文 and English, what was sent, expected, got."""
from __future__ import annotations

import re

SHOW = 400  # characters of any value shown


def show(value) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= SHOW else text[:SHOW] + f"… ({len(text)} chars)"


class LearnerFailure(AssertionError):
    """A check failed because of the learner's code; the message is for the learner."""

    kind = "failed"

    def __init__(self, zh: str, en: str, *, sent=None, expected=None, got=None,
                 hint_zh: str | None = None, hint_en: str | None = None, details: str | None = None):
        self.zh, self.en = zh, en
        self.sent, self.expected, self.got = sent, expected, got
        self.hint_zh, self.hint_en, self.details = hint_zh, hint_en, details
        super().__init__(self.render())

    def fields(self) -> dict:
        out = {"kind": self.kind, "zh": self.zh, "en": self.en}
        for key in ("sent", "expected", "got"):
            value = getattr(self, key)
            if value is not None:
                out[key] = show(value)
        for key in ("hint_zh", "hint_en", "details"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        return out

    def render(self) -> str:
        lines = [f"{self.zh}", f"{self.en}"]
        labels = {"sent": "发送 / sent", "expected": "期望 / expected", "got": "得到 / got"}
        for key, label in labels.items():
            value = getattr(self, key)
            if value is not None:
                lines.append(f"  {label}: {show(value)}")
        if self.hint_zh or self.hint_en:
            lines.append(f"  提示 / hint: {self.hint_zh or ''} {('/ ' + self.hint_en) if self.hint_en else ''}".rstrip())
        if self.details:
            lines.append(self.details)
        return "\n".join(lines)


class LearnerCrashed(LearnerFailure):
    kind = "crashed"


class LearnerHung(LearnerFailure):
    kind = "hung"


class SubmissionInvalid(LearnerFailure):
    """A file is missing, not UTF-8, or not valid Python: the whole exercise fails."""

    kind = "invalid"


def fail(zh: str, en: str, **kw):
    raise LearnerFailure(zh, en, **kw)


def check(condition, zh: str, en: str, **kw):
    if not condition:
        raise LearnerFailure(zh, en, **kw)


WINDOW = 60  # characters shown on each side of the first difference of two long values


def equal(got, expected, zh: str, en: str, **kw):
    if got == expected:
        return
    where = first_difference(got, expected)
    if where is not None and max(len(repr(got)), len(repr(expected))) > SHOW:
        # Long values: the first SHOW characters of each may well be equal; show the place
        # where they part, and say where it is.
        line = (expected[:where].count("\n") + 1) if isinstance(expected, str) else None
        at = f"第 {where} 个{'字符' if isinstance(expected, str) else '元素/字节'}" + (f"（第 {line} 行）" if line else "")
        at_en = f"{'character' if isinstance(expected, str) else 'item/byte'} {where}" + (f" (line {line})" if line else "")
        note = (f"第一处不同在{at}，长度：期望 {len(expected)}，得到 {len(got)}。 / First difference at {at_en}; "
                f"lengths: expected {len(expected)}, got {len(got)}.")
        kw["details"] = note + ("\n" + kw["details"] if kw.get("details") else "")
        expected, got = window(expected, where), window(got, where)
    raise LearnerFailure(zh, en, expected=expected, got=got, **kw)


def first_difference(a, b) -> int | None:
    """Index of the first item where two strings, byte strings or sequences of the same kind
    differ (the shorter one's length if one is a prefix of the other); None for other values."""
    kinds = (str, bytes, list, tuple)
    if not (isinstance(a, kinds) and type(a) is type(b)):
        return None
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return i
    return min(len(a), len(b))


def window(value, at: int) -> str:
    """The part of ``value`` around index ``at``, marked with where it starts."""
    start = max(0, at - WINDOW)
    part = value[start:at + WINDOW]
    text = part if isinstance(part, str) else repr(part)
    return (f"[{start}:] " if start else "") + ("…" if start else "") + text + ("…" if at + WINDOW < len(value) else "")


_BOOT_FRAME = re.compile(r'  File "<string>", line \d+, in (_main|_target|<module>)\n')


def learner_traceback(tb: str) -> str:
    """Drop the sandbox's own frames so the learner sees only theirs and the probe's."""
    return _BOOT_FRAME.sub("", tb)
