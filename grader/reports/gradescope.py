"""Gradescope's ``results.json`` (autograder specification: score, tests, visibility)."""
import json
from pathlib import Path

from .text import feedback_text, title


def write(report: dict, path: Path) -> Path:
    tests = []
    for ex in report["exercises"]:
        for c in ex["checks"]:
            tests.append({
                "name": f"{ex['id']} · {title(c)}",
                "name_format": "text",
                "score": c["score"],
                "max_score": c["points"],
                "status": "passed" if c["status"] == "passed" else "failed",
                "output": feedback_text(c),
                "output_format": "text",
                "visibility": "after_published" if c["hidden"] else "visible",
                "tags": [ex["unit"], ex["id"]],
            })
    data = {
        "score": report["score"],
        "output": f"{report['score']:g} / {report['max_score']:g} ({report['percent']:g}%)" + (
            "" if report["complete"] else "\n评分不完整 / grading incomplete: " + ", ".join(
                f"{e['id']}: {e['incomplete']}" for e in report["exercises"] if e["incomplete"])),
        "output_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    return path
