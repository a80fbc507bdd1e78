"""Reports of one run: the project's JSON, Gradescope, JUnit XML, Markdown, terminal.

Every writer takes the one report model (``model.build_report``), already redacted for a
learner-view run; none of them decides what a learner may see.
"""
from __future__ import annotations

from pathlib import Path

from . import gradescope, junit, markdown, own_json


def write_all(report: dict, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    return [
        own_json.write(report, out / "report.json"),
        gradescope.write(report, out / "results.json"),
        junit.write(report, out / "junit.xml"),
        markdown.write(report, out / "summary.md"),
    ]
