"""Gradescope's ``results.json`` (autograder specification: score, tests, visibility)."""
import json
from pathlib import Path

from .text import feedback_text


def write(report: dict, path: Path, learner_view: bool = False) -> Path:
    tests = []
    for ex in report["exercises"]:
        for c in ex["checks"]:
            tests.append({
                "name": f"{ex['id']} · {c['name']}",
                "name_format": "text",
                "score": c["score"],
                "max_score": c["points"],
                "status": "passed" if c["status"] == "passed" else "failed",
                "output": feedback_text(c, learner_view),
                "output_format": "text",
                "visibility": "after_published" if c["hidden"] else "visible",
                "tags": [ex["unit"], ex["id"]],
            })
    data = {
        "score": report["score"],
        "output": f"{report['score']:g} / {report['max_score']:g} ({report['percent']:g}%)",
        "output_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    return path
