"""Proofs that the suites grade what they claim: reference 100%, stub 0%, mutants caught.

The reference and the stubs are each graded in ONE session over every selected exercise,
as a learner's whole submission is: that also proves that suites collected together do not
clash and that no exercise is dropped. Each mutant is a separate ``grader grade`` process
(fresh sandbox state), run in parallel; verdicts compare reports with ``exercise.toml``.
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from . import catalog
from .mutants import MutantError, submission


@dataclass
class Proof:
    exercise: catalog.Exercise
    kind: str  # reference | stub | mutant
    mutant: catalog.Mutant | None = None

    @property
    def label(self) -> str:
        return f"{self.exercise.id} {self.kind}" + (f":{self.mutant.name}" if self.mutant else "")


def grade(impl: Path, exercises, out: Path, workers: str = "0") -> tuple[dict | None, str]:
    cmd = [sys.executable, "-m", "grader", "grade", str(impl), "--out", str(out), "-n", workers, "-q"]
    for ex in exercises:
        cmd += ["--exercise", ex.id]
    run = subprocess.run(cmd, capture_output=True, text=True, cwd=catalog.REPO)
    report = out / "report.json"
    if run.returncode != 0 or not report.exists():
        return None, run.stdout[-4000:] + run.stderr[-4000:]
    return json.loads(report.read_text(encoding="utf-8")), run.stdout


def grade_one(impl: Path, exercise: catalog.Exercise, out: Path) -> tuple[dict | None, str]:
    return grade(impl, [exercise], out)


def whole_session(kind: str, exercises, workers: str, repeat: int = 1) -> list[tuple[Proof, list[str], dict | None]]:
    """The reference (kind "reference") or the stubs ("stub") of every selected exercise,
    graded in one session (``repeat`` sessions in a row); one verdict per exercise, plus each
    run's own completeness. With several runs, an exercise whose score differs between runs
    is a problem too: a verdict must not depend on scheduling."""
    impl = catalog.REPO / ("reference" if kind == "reference" else "exercises")
    problems: dict[str, list[str]] = {ex.id: [] for ex in exercises}
    scores: dict[str, list] = {ex.id: [] for ex in exercises}
    last: dict[str, dict | None] = {ex.id: None for ex in exercises}
    for run in range(1, repeat + 1):
        tag = f"run {run} of {repeat}: " if repeat > 1 else ""
        with tempfile.TemporaryDirectory(prefix="grader-prove-") as tmp:
            report, output = grade(impl, exercises, Path(tmp) / "report", workers)
        if report is None:
            for ex in exercises:
                problems[ex.id].append(f"{tag}the {kind} session did not complete:\n{output}")
            continue
        found = {e["id"]: e for e in report["exercises"]}
        for ex in exercises:
            one = {**report, "exercises": [found[ex.id]] if ex.id in found else [],
                   "score": found.get(ex.id, {}).get("score", 0), "max_score": found.get(ex.id, {}).get("max_score", 0)}
            found_problems = verdict(Proof(ex, kind), one, output)
            if ex.id not in found:
                found_problems.append("missing from the session's report")
            elif found[ex.id]["incomplete"]:
                found_problems.append(f"incomplete: {found[ex.id]['incomplete']}")
            problems[ex.id] += [tag + p for p in found_problems]
            scores[ex.id].append(one["score"])
            last[ex.id] = one
        if report["left_running"]:
            problems[exercises[-1].id].append(f"{tag}left running: {report['left_running']}")
    for ex in exercises:
        if len(set(scores[ex.id])) > 1:
            problems[ex.id].append(f"the score differs between runs: {scores[ex.id]}")
    return [(Proof(ex, kind), problems[ex.id], last[ex.id]) for ex in exercises]


def verdict(proof: Proof, report: dict | None, output: str) -> list[str]:
    """Problems found (empty: proven)."""
    if report is None:
        return [f"grading did not complete:\n{output}"]
    ex = report["exercises"][0] if report["exercises"] else None
    if ex is None:
        return ["no check ran"]
    checks = ex["checks"]
    if proof.kind == "reference":
        return [f"reference fails {c['name']}: {(c.get('feedback') or {}).get('en', '')}" for c in checks if c["status"] == "failed"]
    if proof.kind == "stub":
        return [f"stub passes {c['name']}" for c in checks if c["status"] == "passed"]
    problems = []
    for name in proof.mutant.must_fail:
        rows = [c for c in checks if c["check"] == name]
        if not rows:
            problems.append(f"must_fail names unknown check {name}")
        elif not any(c["status"] == "failed" for c in rows):
            problems.append(f"mutant passes {name} ({proof.mutant.why})")
    if ex["score"] >= ex["max_score"]:
        problems.append("mutant scores 100%")
    return problems


def run_proof(proof: Proof, repeat: int = 1) -> tuple[Proof, list[str], dict | None]:
    """A mutant's proof, graded ``max(repeat, its own repeat)`` times: it must lose its checks in
    every run, with the same score each time. (The reference and the stubs are proven by
    ``whole_session``.)"""
    with tempfile.TemporaryDirectory(prefix="grader-prove-") as tmp:
        tmp = Path(tmp)
        try:
            impl = submission(proof.exercise, proof.mutant, tmp / "submission")
        except (MutantError, OSError) as exc:
            return proof, [f"the mutant could not be built: {exc}"], None
        runs = max(1, proof.mutant.repeat, repeat)
        scores, report = [], None
        for run in range(1, runs + 1):
            report, output = grade_one(impl, proof.exercise, tmp / f"report-{run}")
            problems = verdict(proof, report, output)
            if problems and runs > 1:
                problems = [f"run {run} of {runs}: {p}" for p in problems]
            if problems:
                return proof, problems, report
            scores.append(report["score"])
        if len(set(scores)) > 1:
            return proof, [f"the score differs between runs: {scores}"], report
        return proof, [], report


def proofs_for(what: str, exercises, concurrency_only: bool = False) -> list[Proof]:
    """The per-process proofs: the mutants (reference and stubs run as whole sessions); with
    ``concurrency_only``, only those marked ``repeat`` (bugs that show in some interleavings)."""
    if what not in ("mutants", "all"):
        return []
    return [Proof(ex, "mutant", m) for ex in exercises for m in ex.mutants if m.repeat > 1 or not concurrency_only]


def _print(proof: Proof, problems: list[str], report: dict | None):
    score = f"{report['score']:g}/{report['max_score']:g}" if report else "-"
    print(f"{'ok  ' if not problems else 'FAIL'} {proof.label:<55} {score}", flush=True)
    for p in problems:
        print(f"      {p}")


def prove(what: str, ids=(), units=(), jobs: int = 2, repeat: int = 1, concurrency_only: bool = False) -> int:
    exercises = catalog.select(ids=ids, units=units)
    results = []
    for kind, asked in (("reference", "reference"), ("stub", "stubs")):
        if what in (asked, "all"):
            for proof, problems, report in whole_session(kind, exercises, str(jobs) if jobs > 1 else "0", repeat):
                _print(proof, problems, report)
                results.append(bool(problems))
    proofs = proofs_for(what, exercises, concurrency_only)
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        for proof, problems, report in pool.map(lambda p: run_proof(p, repeat), proofs):
            _print(proof, problems, report)
            results.append(bool(problems))
    failed = sum(results)
    print(f"{len(results) - failed} proven, {failed} failed" + (f" ({repeat} runs each)" if repeat > 1 else ""))
    return 1 if failed or not results else 0
