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


def equal(got, expected, zh: str, en: str, **kw):
    if got != expected:
        raise LearnerFailure(zh, en, expected=expected, got=got, **kw)


_BOOT_FRAME = re.compile(r'  File "<string>", line \d+, in (_main|_target|<module>)\n')


def learner_traceback(tb: str) -> str:
    """Drop the sandbox's own frames so the learner sees only theirs and the probe's."""
    return _BOOT_FRAME.sub("", tb)
