"""Feedback as text, shared by the Markdown, Gradescope, JUnit and terminal writers.

Writers get the report model as it is to be shown: in a learner-view run, hidden checks
were already redacted by ``model.redact``.
"""


def title(check_or_exercise: dict) -> str:
    t = check_or_exercise["title"]
    return t["zh"] if t["zh"] == t["en"] else f"{t['zh']} / {t['en']}"


def feedback_text(check: dict) -> str:
    if check["status"] == "skipped":
        return f"跳过 / skipped: {check.get('skip_reason') or ''}"
    fb = check.get("feedback")
    if not fb:
        return ""
    lines = [fb.get("zh", ""), fb.get("en", "")]
    for key, label in (("sent", "发送 / sent"), ("expected", "期望 / expected"), ("got", "得到 / got")):
        if key in fb:
            lines.append(f"{label}: {fb[key]}")
    if fb.get("hint_zh") or fb.get("hint_en"):
        lines.append(f"提示 / hint: {fb.get('hint_zh', '')} / {fb.get('hint_en', '')}")
    if fb.get("details"):
        lines.append(fb["details"])
    return "\n".join(line for line in lines if line)


def points(value) -> str:
    return f"{value:g}"
