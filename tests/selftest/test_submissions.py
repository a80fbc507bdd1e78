"""Bad input to the grader gets a clear message per exercise, never a traceback from us."""
import subprocess
import sys

from support import REPO, grade, submission

GEN = "advanced/generators/generators.py"


def by_id(report):
    return {e["id"]: e for e in report["exercises"]}


def test_broken_files_fail_their_exercise_only(tmp_path, validate_report):
    impl = submission(tmp_path / "sub", {
        GEN: "def fib(times:\n    pass\n",                      # syntax error
        "tcp/basics/tcp_basics.py": "# 注释\n".encode("gbk"),   # not UTF-8
    })
    run, report = grade(impl, tmp_path / "out", "advanced/generators", "tcp/basics", "advanced/decorators")
    assert run.returncode == 0, run.stderr[-2000:]
    validate_report(report)
    ex = by_id(report)
    gen = ex["advanced/generators"]["checks"]
    assert all(c["feedback"]["kind"] == "invalid" for c in gen)
    assert "syntax error: line 1" in gen[0]["feedback"]["en"]
    assert "not UTF-8" in ex["tcp/basics"]["checks"][0]["feedback"]["en"]
    assert ex["advanced/decorators"]["score"] == ex["advanced/decorators"]["max_score"] > 0
    assert "Traceback" not in run.stdout


def test_missing_file_is_named(tmp_path):
    impl = submission(tmp_path / "sub", {})
    (impl / GEN).unlink()
    run, report = grade(impl, tmp_path / "out", "advanced/generators")
    fb = report["exercises"][0]["checks"][0]["feedback"]
    assert fb["kind"] == "invalid" and "advanced/generators/generators.py not found" in fb["en"]


def test_wrong_path_is_a_clear_usage_error(tmp_path):
    run, report = grade(tmp_path / "nope", tmp_path / "out")
    assert run.returncode == 2 and report is None
    assert "submission folder not found" in run.stderr and "Traceback" not in run.stderr


def test_unknown_exercise_is_a_clear_usage_error(tmp_path):
    run, _ = grade(REPO / "reference", tmp_path / "out", "advanced/nothing")
    assert run.returncode == 2 and "unknown exercise" in run.stderr and "Traceback" not in run.stderr


def test_list_prints_the_catalog():
    run = subprocess.run([sys.executable, "-m", "grader", "list"], capture_output=True, text=True, cwd=REPO)
    assert run.returncode == 0
    for ex_id in ("advanced/generators", "advanced/decorators", "tcp/basics", "tcp/multiprocess-server"):
        assert ex_id in run.stdout


def test_fail_under(tmp_path):
    run, report = grade(REPO / "exercises", tmp_path / "out", "advanced/generators", extra=["--fail-under", "50"])
    assert run.returncode == 1 and report["percent"] == 0


def test_collect_takes_only_learner_files(tmp_path):
    import shutil

    # base and head hold the same parts of the repository, so that only the changes planted
    # below differ (not whatever else the checkout holds, e.g. report folders)
    base, head = tmp_path / "base", tmp_path / "head"
    for part in ("exercises", "tests", "grader"):
        for root in (base, head):
            shutil.copytree(REPO / part, root / part, ignore=shutil.ignore_patterns("__pycache__"))
    (head / "exercises" / "advanced" / "generators" / "generators.py").write_text("# mine\n")
    (head / "exercises" / "advanced" / "generators" / "extra.py").write_text("evil = 1\n")
    (head / "tests" / "advanced" / "generators" / "test_generators.py").write_text("def test_x(): pass\n")
    run = subprocess.run([sys.executable, "-m", "grader", "collect", str(head), str(tmp_path / "sub"), "--base", str(base)],
                         capture_output=True, text=True, cwd=REPO)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "sub" / "advanced" / "generators" / "generators.py").read_text() == "# mine\n"
    assert not (tmp_path / "sub" / "advanced" / "generators" / "extra.py").exists()
    ignored = (tmp_path / "ignored-changes.md").read_text()
    assert "tests/advanced/generators/test_generators.py" in ignored and "extra.py" in ignored
