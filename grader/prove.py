"""Proofs that the suites grade what they claim: reference 100%, stub 0%, mutants caught.

Every grading run here is a separate ``grader grade`` process (fresh sandbox state), run
in parallel; the verdict compares each report with what ``exercise.toml`` expects.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from . import catalog


@dataclass
class Proof:
    exercise: catalog.Exercise
    kind: str  # reference | stub | mutant
    mutant: catalog.Mutant | None = None

    @property
    def label(self) -> str:
        return f"{self.exercise.id} {self.kind}" + (f":{self.mutant.name}" if self.mutant else "")


def grade_one(impl: Path, exercise: catalog.Exercise, out: Path) -> tuple[dict | None, str]:
    cmd = [sys.executable, "-m", "grader", "grade", str(impl), "--exercise", exercise.id, "--out", str(out), "-n", "0", "-q"]
    run = subprocess.run(cmd, capture_output=True, text=True, cwd=catalog.REPO)
    report = out / "report.json"
    if run.returncode != 0 or not report.exists():
        return None, run.stdout[-4000:] + run.stderr[-4000:]
    return json.loads(report.read_text(encoding="utf-8")), run.stdout


def mutant_submission(exercise: catalog.Exercise, mutant: catalog.Mutant, root: Path) -> Path:
    """The reference exercise with the mutant's files laid over it."""
    dest = root / exercise.id
    shutil.copytree(catalog.REPO / "reference" / exercise.id, dest)
    for f in mutant.path.iterdir():
        if f.is_file():
            shutil.copyfile(f, dest / f.name)
    return root


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


def run_proof(proof: Proof) -> tuple[Proof, list[str], dict | None]:
    with tempfile.TemporaryDirectory(prefix="grader-prove-") as tmp:
        tmp = Path(tmp)
        if proof.kind == "reference":
            impl = catalog.REPO / "reference"
        elif proof.kind == "stub":
            impl = catalog.REPO / "exercises"
        else:
            impl = mutant_submission(proof.exercise, proof.mutant, tmp / "submission")
        report, output = grade_one(impl, proof.exercise, tmp / "report")
        return proof, verdict(proof, report, output), report


def proofs_for(what: str, exercises) -> list[Proof]:
    out = []
    for ex in exercises:
        if what in ("reference", "all"):
            out.append(Proof(ex, "reference"))
        if what in ("stubs", "all"):
            out.append(Proof(ex, "stub"))
        if what in ("mutants", "all"):
            out += [Proof(ex, "mutant", m) for m in ex.mutants]
    return out


def prove(what: str, ids=(), units=(), jobs: int = 2) -> int:
    proofs = proofs_for(what, catalog.select(ids=ids, units=units))
    failed = 0
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        for proof, problems, report in pool.map(run_proof, proofs):
            score = f"{report['score']:g}/{report['max_score']:g}" if report else "-"
            print(f"{'ok  ' if not problems else 'FAIL'} {proof.label:<55} {score}", flush=True)
            for p in problems:
                print(f"      {p}")
            failed += bool(problems)
    print(f"{len(proofs) - failed} proven, {failed} failed")
    return 1 if failed or not proofs else 0
