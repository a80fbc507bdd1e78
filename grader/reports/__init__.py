"""Reports of one run: the project's JSON, Gradescope, JUnit XML, Markdown, terminal."""
from __future__ import annotations

from pathlib import Path

from . import gradescope, junit, markdown, own_json


def write_all(report: dict, out: Path, learner_view: bool = False) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    return [
        own_json.write(report, out / "report.json"),
        gradescope.write(report, out / "results.json", learner_view),
        junit.write(report, out / "junit.xml"),
        markdown.write(report, out / "summary.md", learner_view),
    ]
