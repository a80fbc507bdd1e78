"""Every statement ends with the table of its graded checks and their points.

The table is made from ``exercise.toml`` (titles, points, hidden checks) and the suite
(how many cases a parametrised check has), between two marker lines, so that it cannot
drift from what is graded: ``grader statements`` rewrites the tables, ``--check`` (and a
selftest) fails when one is missing or out of date.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from . import catalog

BEGIN = "<!-- grading table: made by `grader statements` from exercise.toml; do not edit -->"
END = "<!-- end of grading table -->"
HEADING = "## 评分 / Grading"


def cases(exercises) -> dict[tuple[str, str], int]:
    """(exercise id, check) -> how many cases pytest collects for it (a parametrised check
    has one per parameter), from one collection of the suites (no learner code runs)."""
    suites = {str(ex.suite.relative_to(catalog.REPO)): ex.id for ex in exercises}
    run = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:grader", *suites],
                         capture_output=True, text=True, cwd=catalog.REPO, timeout=300)
    found: dict[tuple[str, str], int] = {}
    for line in run.stdout.splitlines():
        path, sep, name = line.partition("::")
        if not sep:
            continue
        ex_id = suites.get(str(Path(path).parent))
        if ex_id:
            key = (ex_id, name.split("[", 1)[0])
            found[key] = found.get(key, 0) + 1
    return found


def _escape(text: str) -> str:
    # intraword underscores are plain text in Markdown; a dunder would turn bold
    return text.replace("|", "\\|").replace("__", "\\_\\_")


def table(exercise: catalog.Exercise, counts: dict[tuple[str, str], int]) -> str:
    rows = ["| 检查 / Check | 分数 / Points |", "| --- | --- |"]
    total = 0
    for check, points in exercise.checks.items():
        n = counts.get((exercise.id, check), 1)
        total += points * n
        if check in exercise.hidden:
            title = "隐藏检查 / hidden check"
        else:
            t = exercise.title_of(check)
            title = f"{_escape(t.zh)} / {_escape(t.en)}"
        rows.append(f"| {title} | {points:g}{f' × {n}' if n > 1 else ''} |")
    rows.append(f"| 合计 / Total | {total:g} |")
    return "\n".join([BEGIN, HEADING, "", *rows, END]) + "\n"


def updated(text: str, block: str) -> str:
    """The statement with its grading table replaced (or added at the end)."""
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        tail = rest.split(END, 1)[1].lstrip("\n")
        return head + block + (("\n" + tail) if tail else "")
    if HEADING in text:  # a table made by hand earlier in this form: the section is replaced
        head, rest = text.split(HEADING, 1)
        after = rest.find("\n## ")
        tail = rest[after + 1:] if after >= 0 else ""
        return head + block + (("\n" + tail) if tail else "")
    return text.rstrip("\n") + "\n\n" + block


def sync(write: bool, exercises=None) -> list[str]:
    """Statements whose table is missing or out of date (rewritten if ``write``)."""
    stale = []
    exercises = list(exercises or catalog.load().values())
    counts = cases(exercises)
    for ex in exercises:
        readme = catalog.REPO / "exercises" / ex.id / "README.md"
        if not readme.exists():
            stale.append(f"{ex.id}: no statement (exercises/{ex.id}/README.md)")
            continue
        text = readme.read_text(encoding="utf-8")
        new = updated(text, table(ex, counts))
        if new != text:
            stale.append(f"{ex.id}: grading table {'rewritten' if write else 'missing or out of date'}")
            if write:
                readme.write_text(new, encoding="utf-8")
    return stale
