"""Pull-request grading: take only the learner's files from an untrusted checkout.

``collect(head, out, base)`` copies, for every exercise in the (trusted) catalog, exactly
the files named in its exercise.toml from ``head/exercises/`` into ``out/``.  Anything
else the pull request changed — tests, grader, workflows, extra files — is listed, never
copied and never run.
"""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from . import catalog

_SKIP = {".git", "__pycache__", ".tox", ".venv", "grader-report"}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _files(root: Path) -> dict[str, Path]:
    out = {}
    for path in root.rglob("*"):
        rel = path.relative_to(root)
        if path.is_file() and not path.is_symlink() and not (set(rel.parts) & _SKIP):
            out[rel.as_posix()] = path
    return out


def collect(head: Path, out: Path, base: Path | None = None) -> tuple[list[str], list[str]]:
    """Return (learner files taken, other changed files listed but ignored)."""
    taken, allowed = [], set()
    for ex in catalog.select():
        for name, src in ex.files_in(head / "exercises").items():
            rel = src.relative_to(head).as_posix()
            allowed.add(rel)
            if src.is_file() and not src.is_symlink():
                dest = out / ex.id / name
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(src, dest)
                taken.append(rel)
    ignored = []
    if base is not None:
        head_files, base_files = _files(head), _files(base)
        for rel in sorted(set(head_files) | set(base_files)):
            if rel in allowed:
                continue
            a, b = head_files.get(rel), base_files.get(rel)
            if a is None or b is None or _digest(a) != _digest(b):
                ignored.append(rel)
    return taken, ignored


def ignored_markdown(ignored: list[str]) -> str:
    if not ignored:
        return ""
    lines = ["", "### 未评分的改动 / Changes not graded", "",
             "这些文件不属于练习，评分时用的是原始版本。/ These files are not exercise files; grading used the originals.", ""]
    lines += [f"- `{rel}`" for rel in ignored[:200]]
    return "\n".join(lines) + "\n"
