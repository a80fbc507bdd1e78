"""A run never drops an exercise, and a learner-view run shows nothing of hidden checks."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

from grader import catalog
from support import REPO, grade


def test_suite_module_names_are_unique():
    """Suites are imported by path (importlib mode), and their file names differ as well, so
    no run can mistake one suite for another whatever the import mode."""
    seen = {}
    for ex in catalog.select():
        for f in ex.suite.glob("test_*.py"):
            assert f.name not in seen, f"{f} and {seen[f.name]} share a module name"
            seen[f.name] = f


def course_copy(tmp: Path) -> Path:
    """The engine and the course in a scratch folder, so a test may break one suite."""
    copy = tmp / "repo"
    for part in ("grader", "tests", "reference", "exercises"):
        shutil.copytree(REPO / part, copy / part, ignore=shutil.ignore_patterns("__pycache__", "selftest"))
    shutil.copy(REPO / "pyproject.toml", copy / "pyproject.toml")
    return copy


def test_a_suite_that_cannot_be_collected_is_reported_not_dropped(tmp_path, validate_report):
    copy = course_copy(tmp_path)
    broken = next((copy / "tests" / "advanced" / "generators").glob("test_*.py"))
    broken.write_text(broken.read_text(encoding="utf-8") + "\nraise RuntimeError('suite broken on purpose')\n",
                      encoding="utf-8")
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "grader", "grade", str(copy / "reference"), "-o", str(out), "-n", "2",
           "-e", "advanced/generators", "-e", "advanced/decorators"]
    run = subprocess.run(cmd, capture_output=True, text=True, cwd=copy, timeout=600,
                         env={"PYTHONPATH": str(copy), "PATH": "/usr/local/bin:/usr/bin:/bin"})
    assert run.returncode == 3, run.stdout[-3000:] + run.stderr[-3000:]
    assert "grading incomplete" in run.stderr and "advanced/generators" in run.stderr
    report = validate_report(json.loads((out / "report.json").read_text(encoding="utf-8")))
    ex = {e["id"]: e for e in report["exercises"]}
    assert set(ex) == {"advanced/generators", "advanced/decorators"}
    gen = ex["advanced/generators"]
    assert gen["score"] == 0 and gen["max_score"] == catalog.load()["advanced/generators"].points
    assert "suite broken on purpose" in gen["incomplete"]
    assert all(c["feedback"]["kind"] == "not-run" for c in gen["checks"])
    assert ex["advanced/decorators"]["score"] == ex["advanced/decorators"]["max_score"]
    assert report["complete"] is False and report["percent"] < 100
    for name in ("summary.md", "results.json"):
        assert "incomplete" in (out / name).read_text(encoding="utf-8")


def test_learner_view_shows_nothing_of_hidden_checks(tmp_path, validate_report):
    """Every output of a learner-view run (terminal, JSON, Gradescope, JUnit, Markdown) is
    searched for what the full view says about each failed hidden check."""
    from grader.mutants import submission

    chosen = {"tcp/basics": "send-with-timeout", "advanced/generators": None, "advanced/decorators": None}
    impl = tmp_path / "sub"
    shutil.copytree(REPO / "exercises", impl)  # stubs: every check fails, the hidden ones too
    for ex_id, mutant in chosen.items():
        if mutant:
            ex = catalog.load()[ex_id]
            shutil.rmtree(impl / ex_id)
            submission(ex, next(m for m in ex.mutants if m.name == mutant), impl)
    full_run, full = grade(impl, tmp_path / "full", *chosen)
    view_run, view = grade(impl, tmp_path / "view", *chosen, extra=["--learner-view"])
    assert full and view, full_run.stderr + view_run.stderr
    validate_report(view)
    assert view["learner_view"] is True and view["score"] == full["score"]

    def texts(report, hidden: bool) -> set[str]:
        out = set()
        for e in report["exercises"]:
            for c in e["checks"]:
                if c["hidden"] == hidden:
                    out.add(c["check"])
                    out.update(c["title"].values())
                    out.update(v for v in (c["feedback"] or {}).values() if isinstance(v, str) and len(v) >= 8)
        return out

    public = texts(full, False)
    secrets = {s for s in texts(full, True) - public if not any(s in p for p in public)}
    assert any(s.startswith("test_") for s in secrets) and len(secrets) >= 6
    outputs = {"terminal": view_run.stdout + view_run.stderr}
    for name in ("report.json", "results.json", "junit.xml", "summary.md"):
        outputs[name] = (tmp_path / "view" / name).read_text(encoding="utf-8")
    for where, text in outputs.items():
        text = text.replace("\\n", "\n")
        leaked = [s for s in secrets if s in text or json.dumps(s, ensure_ascii=False)[1:-1] in text]
        assert not leaked, f"{where} shows hidden details: {leaked}"
    hidden_rows = [c for e in view["exercises"] for c in e["checks"] if c["hidden"]]
    assert hidden_rows and all(c["feedback"] in (None, {"kind": "hidden", "zh": "隐藏检查未通过。",
                                                        "en": "Hidden check: failed."}) for c in hidden_rows)
