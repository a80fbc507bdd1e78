"""Markdown for a pull-request comment or a CI job summary."""
from pathlib import Path

from .text import feedback_text, points

_ICON = {"passed": "✅", "partial": "🟡", "failed": "❌"}


def render(report: dict, learner_view: bool = False) -> str:
    out = [
        f"## 评分结果 / Grading result: {points(report['score'])} / {points(report['max_score'])} ({report['percent']:g}%)",
        "",
        "| | 练习 / exercise | 分数 / score |",
        "|---|---|---|",
    ]
    for ex in report["exercises"]:
        out.append(f"| {_ICON[ex['status']]} | `{ex['id']}` {ex['title']['zh']} / {ex['title']['en']} | "
                   f"{points(ex['score'])} / {points(ex['max_score'])} |")
    for ex in report["exercises"]:
        bad = [c for c in ex["checks"] if c["status"] != "passed"]
        if not bad:
            continue
        out += ["", f"### `{ex['id']}`", ""]
        for c in bad:
            text = feedback_text(c, learner_view).replace("```", "'''")
            label = "隐藏检查 / hidden check" if (learner_view and c["hidden"]) else c["name"]
            out += [f"<details><summary>❌ {label} ({points(c['points'])})</summary>", "", "```text", text, "```", "", "</details>"]
    return "\n".join(out) + "\n"


def write(report: dict, path: Path, learner_view: bool = False) -> Path:
    path.write_text(render(report, learner_view), encoding="utf-8")
    return path
