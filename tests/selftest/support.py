"""Helpers for the grader's own tests: run ``grader grade`` as a learner or a CI job would."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

from grader import catalog

REPO = catalog.REPO
SCHEMA = json.loads((REPO / "grader" / "reports" / "report.schema.json").read_text())


def grade(impl: Path, out: Path, *exercises: str, extra=()) -> tuple[subprocess.CompletedProcess, dict | None]:
    cmd = [sys.executable, "-m", "grader", "grade", str(impl), "--out", str(out), "-n", "0", *extra]
    for ex in exercises:
        cmd += ["--exercise", ex]
    run = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, timeout=600)
    path = out / "report.json"
    return run, (json.loads(path.read_text(encoding="utf-8")) if path.exists() else None)


def submission(root: Path, files: dict[str, str | bytes], base: str | None = "reference") -> Path:
    """A submission folder: ``base`` copied, then ``files`` ({"unit/ex/file.py": source}) laid over it."""
    if base:
        shutil.copytree(REPO / base, root)
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return root
