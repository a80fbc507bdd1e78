"""``grader bench``: the speed figures, measured on this machine (not asserted by tests).

Prints and writes ``bench-report/bench.json``:
- sandbox overhead per check: a learner call that returns at once, spawn to cleanup
  (median and 90th percentile over ``--repeat`` calls);
- wall time of the reference run (whole course and per unit), of the all-stub
  submission, and of a generated submission where everything hangs — with the sum of
  the exercise budgets it must stay under, and whether any learner process remained.
"""
from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import catalog
from .generate import write_hanging_submission
from .sandbox import LearnerProcess, confine

_TRIVIAL_PROBE = "def ping():\n    return 'pong'\n"


def overhead(repeat: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        probe = Path(tmp) / "probe.py"
        probe.write_text(_TRIVIAL_PROBE)
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            with LearnerProcess(files={}, probe_path=probe, function="ping") as proc:
                assert proc.result(10) == ("ok", "pong")
            times.append(time.perf_counter() - start)
    times.sort()
    return {"median_ms": round(1000 * statistics.median(times), 1), "p90_ms": round(1000 * times[int(0.9 * len(times))], 1),
            "calls": repeat}


def timed_grade(impl: Path, exercises) -> dict:
    with tempfile.TemporaryDirectory() as out:
        cmd = [sys.executable, "-m", "grader", "grade", str(impl), "--out", out, "-q"]
        for ex in exercises:
            cmd += ["--exercise", ex.id]
        start = time.perf_counter()
        run = subprocess.run(cmd, capture_output=True, text=True, cwd=catalog.REPO)
        wall = time.perf_counter() - start
        report = json.loads((Path(out) / "report.json").read_text()) if (Path(out) / "report.json").exists() else None
    checks = sum(len(e["checks"]) for e in report["exercises"]) if report else 0
    ran = sum(1 for e in report["exercises"] for c in e["checks"]
              if (c["feedback"] or {}).get("kind") != "not-run") if report else 0
    return {
        "wall_s": round(wall, 2), "checks": checks, "checks_run": ran, "exit_code": run.returncode,
        "complete": bool(report and report["complete"] and len(report["exercises"]) == len(exercises)),
        "score": f"{report['score']:g}/{report['max_score']:g}" if report else None,
        "per_check_ms": round(1000 * wall / ran, 1) if ran else None,
    }


def leftovers() -> list[str]:
    """Learner processes still alive: any process under a sandbox uid, or in a learner dir."""
    import psutil

    found = []
    for proc in psutil.process_iter(["pid", "uids", "cwd", "status"]):
        try:
            uid = proc.info["uids"].real if proc.info["uids"] else -1
            cwd = proc.info["cwd"] or ""
            if proc.info["status"] == psutil.STATUS_ZOMBIE:
                continue
            if confine.UID_FIRST <= uid < confine.UID_FIRST + confine.UID_COUNT or "grader-learner-" in cwd:
                found.append(f"{proc.pid} uid={uid} cwd={cwd}")
        except psutil.Error:
            pass
    return found


def main(args) -> int:
    exercises = catalog.select(ids=args.exercise, units=args.unit)
    results: dict = {"machine": {"cpus": __import__("os").cpu_count(), "python": sys.version.split()[0]}}
    from .sandbox import namespaces

    # Measured under the protections a grading run has: its own network namespace too.
    namespaces.enter_private_network()
    print(f"sandbox: {confine.current().describe()}")
    results["overhead"] = overhead(args.repeat)
    print(f"sandbox overhead per check: median {results['overhead']['median_ms']} ms, p90 {results['overhead']['p90_ms']} ms")

    results["reference"] = timed_grade(catalog.REPO / "reference", exercises)
    print(f"reference, all selected exercises: {results['reference']}")
    results["units"] = {}
    for unit in sorted({e.unit for e in exercises}):
        unit_ex = [e for e in exercises if e.unit == unit]
        results["units"][unit] = timed_grade(catalog.REPO / "reference", unit_ex)
        print(f"reference, unit {unit}: {results['units'][unit]}")
    one = exercises[0]
    results["one_exercise"] = {"id": one.id, **timed_grade(catalog.REPO / "reference", [one])}
    print(f"reference, one exercise ({one.id}): {results['one_exercise']}")

    results["stubs"] = timed_grade(catalog.REPO / "exercises", exercises)
    print(f"all-stub submission: {results['stubs']}")

    with tempfile.TemporaryDirectory() as tmp:
        write_hanging_submission(Path(tmp), exercises)
        results["hanging"] = timed_grade(Path(tmp), exercises)
    budgets = sum(e.budget for e in exercises)
    results["hanging"]["sum_of_budgets_s"] = budgets
    results["hanging"]["within_budgets"] = results["hanging"]["wall_s"] <= budgets
    results["hanging"]["left_running"] = leftovers()
    print(f"all-hanging submission: {results['hanging']}")

    out = Path("bench-report")
    out.mkdir(exist_ok=True)
    (out / "bench.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print(f"written: {out / 'bench.json'}")
    return 0 if results["hanging"]["within_budgets"] and not results["hanging"]["left_running"] else 1
