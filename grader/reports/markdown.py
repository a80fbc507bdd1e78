"""Markdown for a pull-request comment or a CI job summary."""
from pathlib import Path

from .text import feedback_text, points, title

_ICON = {"passed": "✅", "partial": "🟡", "failed": "❌"}


def render(report: dict) -> str:
    out = [
        f"## 评分结果 / Grading result: {points(report['score'])} / {points(report['max_score'])} ({report['percent']:g}%)",
        "",
        "| | 练习 / exercise | 分数 / score |",
        "|---|---|---|",
    ]
    if not report["complete"]:
        out[1:1] = ["", "**评分不完整 / Grading incomplete** — " + "; ".join(
            f"`{e['id']}`: {e['incomplete']}" for e in report["exercises"] if e["incomplete"]), ""]
    for ex in report["exercises"]:
        out.append(f"| {_ICON[ex['status']]} | `{ex['id']}` {ex['title']['zh']} / {ex['title']['en']} | "
                   f"{points(ex['score'])} / {points(ex['max_score'])} |")
    for ex in report["exercises"]:
        bad = [c for c in ex["checks"] if c["status"] != "passed"]
        if not bad:
            continue
        out += ["", f"### `{ex['id']}`", ""]
        for c in bad:
            text = feedback_text(c).replace("```", "'''")
            label = title(c)
            out += [f"<details><summary>❌ {label} ({points(c['points'])})</summary>", "", "```text", text, "```", "", "</details>"]
    return "\n".join(out) + "\n"


def write(report: dict, path: Path) -> Path:
    path.write_text(render(report), encoding="utf-8")
    return path
