"""The summary at the end of a pytest run."""
from .text import points


def write(report: dict, tr) -> None:
    tr.section("grader: score / 得分")
    for ex in report["exercises"]:
        failed = [c["name"] for c in ex["checks"] if c["status"] == "failed"]
        line = f"{ex['id']:<34} {points(ex['score']):>5} / {points(ex['max_score']):<5}"
        if failed:
            line += f"  failed: {', '.join(failed[:6])}" + (" …" if len(failed) > 6 else "")
        tr.write_line(line)
    tr.write_line(f"{'TOTAL':<34} {points(report['score']):>5} / {points(report['max_score']):<5} ({report['percent']:g}%)")
