"""The run's result as one plain dict: the project's own JSON format.

Its schema is ``report.schema.json`` beside this file; every other report is made from it.
Two rules live here and nowhere else:

- completeness: every exercise the run was asked to grade appears, with every check of its
  catalog entry; a check that produced no result (the suite could not be collected, a check
  was never run) is a failed row that says why, and the run is marked incomplete;
- learner view: hidden checks are redacted in the model itself, before any writer sees it.
"""
from __future__ import annotations

import datetime as _dt
from pathlib import Path

from .. import catalog

SCHEMA_ID = "grader-report/2"
HIDDEN = {"zh": "隐藏检查", "en": "hidden check"}


def _check_name(nodeid: str) -> str:
    return nodeid.split("::", 1)[-1]


def _title(ex: catalog.Exercise | None, check: str, name: str) -> dict:
    if ex is None:
        return {"zh": name, "en": name}
    t = ex.title_of(check)
    param = name[len(check):] if name.startswith(check + "[") else ""  # a parametrised check: "[id]"
    return {"zh": t.zh + (f" {param}" if param else ""), "en": t.en + (f" {param}" if param else "")}


def _row(ex, c: dict) -> dict:
    name = _check_name(c["nodeid"])
    counted = c["status"] != "skipped"
    return {
        "name": name, "title": _title(ex, c["check"], name), "nodeid": c["nodeid"], "check": c["check"],
        "points": c["points"] if counted else 0,
        "score": c["points"] if c["status"] == "passed" else 0,
        "status": c["status"], "hidden": bool(c["hidden"]), "duration_s": round(c["duration"], 3),
        "feedback": c.get("feedback"), "skip_reason": c.get("skip_reason"),
    }


def _not_run(ex: catalog.Exercise, check: str, reason: str) -> dict:
    pts = ex.checks[check]
    return {
        "name": check, "title": _title(ex, check, check), "nodeid": f"{ex.suite.relative_to(catalog.REPO)}::{check}"
        if ex.suite.is_relative_to(catalog.REPO) else check, "check": check,
        "points": pts, "score": 0, "status": "failed", "hidden": check in ex.hidden, "duration_s": 0.0,
        "feedback": {"kind": "not-run", "zh": "这项检查没有运行，按 0 分计。", "en": "This check did not run; it scores 0.",
                     "details": reason},
        "skip_reason": None,
    }


def redact(report: dict) -> dict:
    """The learner's view: hidden checks keep their points and status, nothing else."""
    for ex in report["exercises"]:
        n = 0
        for c in ex["checks"]:
            if not c["hidden"]:
                continue
            n += 1
            label = f"hidden-{n}"
            if ex.get("incomplete"):
                ex["incomplete"] = ex["incomplete"].replace(c["check"], label)
            c.update(name=label, check=label, nodeid=f"{ex['id']}::{label}",
                     title={"zh": f"{HIDDEN['zh']} {n}", "en": f"{HIDDEN['en']} {n}"}, skip_reason=None,
                     feedback=None if c["status"] != "failed" else {
                         "kind": "hidden", "zh": "隐藏检查未通过。", "en": "Hidden check: failed."})
    report["learner_view"] = True
    return report


def build_report(checks: list[dict], submission: Path, duration: float, sandbox: str = "", *,
                 expected: list[str] = (), problems: dict[str, str] | None = None,
                 learner_view: bool = False) -> dict:
    """``expected``: exercise ids the run was asked to grade; ``problems``: why an exercise's
    suite could not be collected or run (exercise id -> text)."""
    known = catalog.load(only=frozenset(expected) or None)
    problems = problems or {}
    by_exercise: dict[str, list[dict]] = {ex_id: [] for ex_id in expected}
    for c in checks:
        by_exercise.setdefault(c["exercise"], []).append(c)
    exercises = []
    for ex_id in sorted(by_exercise, key=lambda i: list(known).index(i) if i in known else 10**6):
        ex = known.get(ex_id)
        rows = [_row(ex, c) for c in sorted(by_exercise[ex_id], key=lambda c: c["nodeid"])]
        incomplete = problems.get(ex_id)
        if ex is not None:
            ran = {r["check"] for r in rows}
            missing = [name for name in ex.checks if name not in ran]
            if missing:
                reason = incomplete or "the suite produced no result for these checks / 测试套件没有给出这些检查的结果"
                rows += [_not_run(ex, name, reason) for name in missing]
                incomplete = incomplete or f"checks not run: {', '.join(missing)}"
        score = sum(r["score"] for r in rows)
        top = sum(r["points"] for r in rows)
        exercises.append({
            "id": ex_id, "unit": ex_id.split("/")[0],
            "title": {"zh": ex.title_zh if ex else ex_id, "en": ex.title_en if ex else ex_id},
            "score": score, "max_score": top,
            "status": "passed" if score == top and not incomplete else ("failed" if score == 0 else "partial"),
            "incomplete": incomplete,
            "checks": rows,
        })
    score = sum(e["score"] for e in exercises)
    top = sum(e["max_score"] for e in exercises)
    report = {
        "schema": SCHEMA_ID,
        "submission": str(submission),
        "generated_at": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "duration_s": round(duration, 3),
        "score": score, "max_score": top,
        "percent": round(100.0 * score / top, 2) if top else 0.0,
        "complete": not any(e["incomplete"] for e in exercises),
        "learner_view": False,
        "sandbox": sandbox,
        "exercises": exercises,
    }
    return redact(report) if learner_view else report
