"""Mutation runs (grader.mutation): stable mutant ids, the summary's verdicts, and one real
cosmic-ray session cut down to two mutants of advanced/generators (about 15 s)."""
import dataclasses
import json
import re
import subprocess
import sys

import pytest

from grader import catalog, mutation
from support import REPO

cosmic_ray_init = pytest.importorskip("cosmic_ray.commands.init")

SOURCE = '''def f(xs, n):  # a comment
    total = 0
    for x in xs:
        if x < n:
            total += x + 1
    return total < n
'''
EDITED = '''"""A docstring added above."""


def f(xs, n):
    total = 0

    for x in xs:
        if x < n:  # a new comment
            total += x + 1
    return total < n
'''
GENERATORS = "advanced/generators"
SURVIVES = "generators.py|core/ReplaceComparisonOperator_Lt_NotEq|0|while n < times:"  # fib's times >= 0
KILLED = "generators.py|core/ReplaceComparisonOperator_Lt_Gt|0|while n < times:"  # fib yields only 0, 1


def ids_of(tmp_path, source: str) -> list[str]:
    path = tmp_path / "m.py"
    path.write_text(source)
    specs = [w.mutations[0] for w in cosmic_ray_init._all_work_items([path], {})]
    return mutation.name_mutants(specs, {"m.py": source})


def test_code_lines_drop_indentation_comments_and_blanks():
    assert mutation.code_lines(SOURCE)[1] == "def f(xs, n):"
    assert mutation.code_lines("x = '#  not a comment'   # a comment\n")[1] == "x = '# not a comment'"


def test_mutant_ids_survive_unrelated_edits(tmp_path):
    before, after = ids_of(tmp_path, SOURCE), ids_of(tmp_path, EDITED)
    assert len(before) == len(set(before)) > 20  # every mutant has its own id
    assert sorted(before) == sorted(after)
    assert "m.py|core/ReplaceComparisonOperator_Lt_LtE|0|if x < n:" in before
    assert "m.py|core/ReplaceComparisonOperator_Lt_LtE|0|return total < n" in before
    assert {"m.py|core/NumberReplacer|0|total = 0", "m.py|core/NumberReplacer|1|total = 0"} <= set(before)
    assert all(catalog.parse_mutant_id(i) for i in before)


def mutant(mid: str, outcome: str) -> mutation.Mutant:
    parts = catalog.parse_mutant_id(mid)
    return mutation.Mutant(id=mid, file=parts["file"], line=9, function="fib", operator=parts["operator"],
                           outcome=outcome, diff="--- a/generators.py\n+++ b/generators.py\n")


def test_summary_counts_and_verdicts():
    ex = dataclasses.replace(catalog.load()[GENERATORS], equivalent=(
        catalog.Equivalent(SURVIVES, "same for every times >= 0"),
        catalog.Equivalent(KILLED, "wrongly recorded"),
        catalog.Equivalent("generators.py|core/AddNot|0|while gone:", "line since removed")))
    other = "generators.py|core/NumberReplacer|0|n = 0"
    broken = "generators.py|core/ReplaceTrueWithFalse|0|while True:"
    mutants = [mutant(SURVIVES, "survived"), mutant(KILLED, "killed"), mutant(other, "survived"),
               mutant("generators.py|core/AddNot|0|while n < times:", "timeout"), mutant(broken, "error")]
    out = mutation.summarize(ex, mutants, 12.4)
    s = out["summary"]
    assert s["counts"] == {"generated": 5, "graded": 5, "killed": 1, "timeout": 1, "error": 1, "incompetent": 0,
                           "survived": 2, "equivalent": 1, "unexplained": 1}
    assert s["errors"] == [broken]
    assert s["equivalent"] == [{"id": SURVIVES, "why": "same for every times >= 0"}]
    assert [m["id"] for m in s["survivors"]] == [other] and "diff" in s["survivors"][0]
    text = "\n".join(out["problems"])
    assert other in text and "is killed, remove it" in text and "names no mutant" in text
    assert f"error: generators.py:9 core/ReplaceTrueWithFalse — id {broken!r}" in text
    assert len(out["problems"]) == 4
    # a partial run (--only) cannot tell a stale entry from one it did not grade
    partial = mutation.summarize(ex, mutants[:1], 1, partial=True)
    assert partial["problems"] == [] and partial["summary"]["partial"] is True


def test_a_kill_counts_only_when_the_grading_completed():
    from cosmic_ray.work_item import TestOutcome, WorkerOutcome, WorkResult

    def outcome(test, output):
        return mutation._outcome(WorkResult(worker_outcome=WorkerOutcome.NORMAL, test_outcome=test, output=output))

    assert outcome(TestOutcome.KILLED, "TOTAL 3 / 14\ngrader reports: /tmp/r/report.json\n") == "killed"
    assert outcome(TestOutcome.KILLED, "") == "error"  # e.g. exit 2: the catalog was invalid
    assert outcome(TestOutcome.KILLED, "timeout") == "timeout"
    assert outcome(TestOutcome.SURVIVED, "") == "survived"
    assert mutation._outcome(WorkResult(worker_outcome=WorkerOutcome.SKIPPED)) == "skipped"
    assert mutation._outcome(None) == "not-run"


def test_grade_exitfirst_stops_at_the_first_failed_check(tmp_path):
    run = subprocess.run([sys.executable, "-m", "grader", "grade", str(REPO / "exercises"), "-e", GENERATORS,
                          "--exitfirst", "-n", "0", "-q", "--out", str(tmp_path)], capture_output=True, text=True,
                         cwd=REPO, timeout=300)
    assert run.returncode == 1, run.stdout + run.stderr
    checks = json.loads((tmp_path / "report.json").read_text())["exercises"][0]["checks"]
    ran = [c for c in checks if (c["feedback"] or {}).get("kind") != "not-run"]
    assert len(ran) == 1 and ran[0]["status"] == "failed" and len(checks) > 1


def test_a_real_session_on_two_mutants(tmp_path):
    ex = dataclasses.replace(catalog.load()[GENERATORS], equivalent=())
    mutants, seconds = mutation.run(ex, tmp_path, only=[SURVIVES, KILLED])
    outcomes = {m.id: m.outcome for m in mutants}
    assert outcomes.pop(SURVIVES) == "survived" and outcomes.pop(KILLED) == "killed"
    assert set(outcomes.values()) == {"skipped"} and len(outcomes) > 30
    survivor = next(m for m in mutants if m.id == SURVIVES)
    assert survivor.diff.startswith("--- a/generators.py\n+++ b/generators.py\n")
    assert "+    while n != times:" in survivor.diff and (survivor.line, survivor.function) == (9, "fib")
    assert (REPO / "reference" / GENERATORS / "generators.py").read_text().count("while n < times:") == 1
    s = mutation.summarize(ex, mutants, seconds, partial=True)["summary"]
    assert s["counts"]["graded"] == 2 and s["counts"]["unexplained"] == 1


def test_prove_mutation_only_writes_nothing(tmp_path):
    """The CLI on one recorded-equivalent mutant: proven, and a partial run leaves mutation.json alone."""
    ex = catalog.load()[GENERATORS]
    assert SURVIVES in {e.id for e in ex.equivalent}
    summary = ex.suite / mutation.RESULT_FILE
    before = summary.stat().st_mtime_ns if summary.exists() else None
    run = subprocess.run([sys.executable, "-m", "grader", "prove", "--mutation", "-e", GENERATORS, "--only", SURVIVES],
                         capture_output=True, text=True, cwd=REPO, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert re.search(r"ok   advanced/generators +1 of \d+ mutants: 0 killed, 1 equivalent", run.stdout), run.stdout
    assert (summary.stat().st_mtime_ns if summary.exists() else None) == before
    bad = subprocess.run([sys.executable, "-m", "grader", "prove", "reference", "--mutation"], capture_output=True,
                         text=True, cwd=REPO, timeout=60)
    assert bad.returncode == 2 and "--mutation runs alone" in bad.stderr
