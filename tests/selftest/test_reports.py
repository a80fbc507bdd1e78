"""One run writes four reports that agree with each other."""
import json
import xml.etree.ElementTree as ET

import pytest

from support import grade, submission

GEN = "advanced/generators/generators.py"


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("reports")
    # off-by-one fails some checks, among them the hidden one
    src = (submission.__globals__["REPO"] / "reference" / GEN).read_text().replace("while n < times:", "while n <= times:")
    impl = submission(tmp / "sub", {GEN: src})
    run, report = grade(impl, tmp / "out", "advanced/generators", "tcp/basics", extra=["--learner-view"])
    assert run.returncode == 0, run.stderr
    return tmp / "out", report


def test_own_json_matches_schema(graded, validate_report):
    _, report = graded
    validate_report(report)
    assert 0 < report["score"] < report["max_score"]


def test_gradescope_results_add_up(graded):
    out, report = graded
    gs = json.loads((out / "results.json").read_text())
    assert gs["score"] == report["score"] == sum(t["score"] for t in gs["tests"])
    hidden = [t for t in gs["tests"] if t["visibility"] == "after_published"]
    assert hidden and all("Hidden check" in t["output"] for t in hidden if t["status"] == "failed")


def test_junit_counts_failures(graded):
    out, report = graded
    root = ET.parse(out / "junit.xml").getroot()
    failures = sum(int(s.get("failures")) for s in root.iter("testsuite"))
    assert failures == sum(c["status"] == "failed" for e in report["exercises"] for c in e["checks"])


def test_markdown_has_the_table_and_bilingual_feedback(graded):
    out, _ = graded
    md = (out / "summary.md").read_text()
    assert "| 🟡 | `advanced/generators`" in md and "| ✅ | `tcp/basics`" in md
    assert "产出的序列不对" in md and "yielded the wrong sequence" in md
    assert "隐藏检查 1 / hidden check 1" in md
