"""The summary at the end of a pytest run."""
from .text import points, title


def write(report: dict, tr) -> None:
    tr.section("grader: score / 得分")
    tr.write_line(f"sandbox / 沙箱: {report['sandbox']}")
    for ex in report["exercises"]:
        failed = [title(c) for c in ex["checks"] if c["status"] == "failed"]
        line = f"{ex['id']:<34} {points(ex['score']):>5} / {points(ex['max_score']):<5}"
        if ex.get("incomplete"):
            line += "  INCOMPLETE / 未完成评分"
        tr.write_line(line)
        if ex.get("incomplete"):
            tr.write_line(f"    {ex['incomplete'][:300]}")
        for name in failed[:6]:
            tr.write_line(f"    ✗ {name}")
        if len(failed) > 6:
            tr.write_line(f"    … {len(failed) - 6} more / 另有 {len(failed) - 6} 项")
    tr.write_line(f"{'TOTAL':<34} {points(report['score']):>5} / {points(report['max_score']):<5} ({report['percent']:g}%)")
    if not report["complete"]:
        tr.write_line("grader: grading INCOMPLETE — exercises above marked INCOMPLETE scored 0 for what did not run "
                      "/ 评分不完整：标为 INCOMPLETE 的练习中未运行的检查按 0 分计")
