"""The run's result as one plain dict: the project's own JSON format.

Its schema is ``report.schema.json`` beside this file; every other report is made from it.
"""
from __future__ import annotations

import datetime as _dt
from pathlib import Path

from .. import catalog

SCHEMA_ID = "grader-report/1"


def _check_name(nodeid: str) -> str:
    return nodeid.split("::", 1)[-1]


def build_report(checks: list[dict], submission: Path, duration: float, sandbox: str = "") -> dict:
    known = catalog.load()
    by_exercise: dict[str, list[dict]] = {}
    for c in checks:
        by_exercise.setdefault(c["exercise"], []).append(c)
    exercises = []
    for ex_id in sorted(by_exercise, key=lambda i: list(known).index(i) if i in known else 10**6):
        ex = known.get(ex_id)
        rows = []
        for c in sorted(by_exercise[ex_id], key=lambda c: c["nodeid"]):
            counted = c["status"] != "skipped"
            rows.append({
                "name": _check_name(c["nodeid"]), "nodeid": c["nodeid"], "check": c["check"],
                "points": c["points"] if counted else 0,
                "score": c["points"] if c["status"] == "passed" else 0,
                "status": c["status"], "hidden": bool(c["hidden"]), "duration_s": round(c["duration"], 3),
                "feedback": c.get("feedback"), "skip_reason": c.get("skip_reason"),
            })
        score = sum(r["score"] for r in rows)
        top = sum(r["points"] for r in rows)
        exercises.append({
            "id": ex_id, "unit": ex_id.split("/")[0],
            "title": {"zh": ex.title_zh if ex else ex_id, "en": ex.title_en if ex else ex_id},
            "score": score, "max_score": top,
            "status": "passed" if score == top else ("failed" if score == 0 else "partial"),
            "checks": rows,
        })
    score = sum(e["score"] for e in exercises)
    top = sum(e["max_score"] for e in exercises)
    return {
        "schema": SCHEMA_ID,
        "submission": str(submission),
        "generated_at": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "duration_s": round(duration, 3),
        "score": score, "max_score": top,
        "percent": round(100.0 * score / top, 2) if top else 0.0,
        "sandbox": sandbox,
        "exercises": exercises,
    }
