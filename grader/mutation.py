"""Mutation runs (``grader prove --mutation``): every operator mutant of a reference must be
killed by its suite, or be recorded in ``exercise.toml`` as equivalent, with the reason.

Why: the stored mutants (``grader.mutants``) are the bugs someone thought of. cosmic-ray's
operator mutants — each ``<`` made ``<=``, each constant moved by one, each loop emptied, each
decorator dropped, each ``True`` made ``False`` — show what the suite never looks at. A survivor
is either a blind spot (the suite owner adds a check) or a change the statement does not care
about (listed under ``[mutation].equivalent`` with a one-line reason). Each mutant is one whole
grading, so a unit takes minutes to an hour: an instructor's tool, ``tox -e mutation``, not CI.

How, per exercise: the reference files are copied into a temporary folder laid out like
``exercises/`` (cosmic-ray edits files in place: it only ever sees that copy, never the tree);
cosmic-ray (local distributor: one mutant at a time) runs, for each mutant,
``python -m grader grade <copy> -e ID --fail-under 100 --exitfirst -n 0 -q``: exit 0 means the
mutant scored 100%, it survived; a non-zero exit counts as killed only if the grading wrote its
reports (otherwise it is an "error": say, the catalog was being edited meanwhile). Its timeout,
``2 × budget + 60`` s, is a backstop only: the grader's own timeouts and budget stop a hanging
mutant long before. The unmutated copy is graded first and must score 100%, or every mutant
would count as killed. The results, read from the session database, are written to
``tests/<unit>/<name>/mutation.json`` (committed).

Mutant ids. cosmic-ray numbers a mutant by its occurrence among every place its operator applies
in the module, so any edit above it renumbers it. Here a mutant is named
``<file>|<operator>|<n>|<code of the line>``: the line's code with indentation, comments and runs of
blanks dropped, and n its rank among mutants of the same operator on lines of the same code
(almost always 0; an operator with several mutations per place, e.g. NumberReplacer's +1 and -1,
gives 0 and 1). Edits elsewhere in the file, comments and re-indentation keep the id; editing the
line itself changes it, which is wanted: the mutant is a new one, to be judged again.
"""
from __future__ import annotations

import io
import json
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import tokenize
from dataclasses import asdict, dataclass
from pathlib import Path

from . import catalog

RESULT_FILE = "mutation.json"
PROGRESS_EVERY = 60.0  # seconds between progress lines of a long run
REPORTS_LINE = "grader reports:"  # what a grading that completed prints last (grader.plugin)


class MutationError(Exception):
    pass


@dataclass
class Mutant:
    id: str
    file: str
    line: int
    function: str | None
    operator: str
    outcome: str  # killed | survived | timeout | error | incompetent | skipped | not-run
    diff: str = ""


def test_timeout(exercise: catalog.Exercise) -> float:
    """cosmic-ray's timeout for one grading: a backstop behind the exercise's own budget."""
    return 2 * exercise.budget + 60


def code_lines(source: str) -> dict[int, str]:
    """Line number -> the line's code: indentation, comments and runs of blanks dropped."""
    comments = {}
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.COMMENT:
                comments[tok.start[0]] = tok.start[1]
    except (tokenize.TokenError, SyntaxError):
        pass
    return {i: " ".join(line[:comments.get(i, len(line))].split())
            for i, line in enumerate(source.splitlines(), 1)}


def name_mutants(specs, sources: dict[str, str]) -> list[str]:
    """Stable ids for cosmic-ray ``MutationSpec``s (see the module's docstring), in their order."""
    lines = {name: code_lines(text) for name, text in sources.items()}
    order = sorted(range(len(specs)), key=lambda i: (Path(specs[i].module_path).name, specs[i].operator_name,
                                                    specs[i].occurrence))
    seen: dict[tuple, int] = {}
    ids = [""] * len(specs)
    for i in order:
        spec = specs[i]
        file = Path(spec.module_path).name
        text = lines[file].get(spec.start_pos[0], "") or "?"
        key = (file, spec.operator_name, text)
        ids[i] = catalog.mutant_id(file, spec.operator_name, seen.get(key, 0), text)
        seen[key] = seen.get(key, 0) + 1
    return ids


def _outcome(result) -> str:
    from cosmic_ray.work_item import TestOutcome, WorkerOutcome

    if result is None:
        return "not-run"
    if result.worker_outcome == WorkerOutcome.SKIPPED:
        return "skipped"
    if result.worker_outcome != WorkerOutcome.NORMAL or result.test_outcome == TestOutcome.INCOMPETENT:
        return "incompetent"
    if result.test_outcome == TestOutcome.SURVIVED:
        return "survived"
    if result.output == "timeout":
        return "timeout"
    # Killed means the grading exited non-zero. Only a grading that wrote its reports lost
    # points; one that stopped before (an invalid catalog, a crash) says nothing of the mutant.
    return "killed" if REPORTS_LINE in (result.output or "") else "error"


def _diff(text: str | None, file: str) -> str:
    out = []
    for line in (text or "").splitlines():
        if line == "--- mutation diff ---":
            continue
        if line.startswith("--- a/"):
            line = f"--- a/{file}"
        elif line.startswith("+++ b/"):
            line = f"+++ b/{file}"
        out.append(line)
    return "\n".join(out) + ("\n" if out else "")


def _cosmic_ray(*args, cwd: Path, log: Path) -> subprocess.Popen:
    with log.open("ab") as out:
        return subprocess.Popen([sys.executable, "-m", "cosmic_ray.cli", *args], cwd=cwd, stdout=out,
                                stderr=subprocess.STDOUT)


def _tail(path: Path, n: int = 3000) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")[-n:]
    except OSError:
        return ""


def run(exercise: catalog.Exercise, work: Path, only=(), progress=print) -> tuple[list[Mutant], float]:
    """All operator mutants of ``exercise``'s reference, graded in ``work`` (a scratch folder).
    ``only``: texts; when given, only mutants whose id contains one of them are graded (the
    others are "skipped"). Returns the mutants with their outcomes, and the wall time."""
    from cosmic_ray.config import ConfigDict, serialize_config
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import WorkerOutcome, WorkResult

    started = time.monotonic()
    reference = catalog.REPO / "reference" / exercise.id
    copy = work / "submission"
    shutil.copytree(reference, copy / exercise.id, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    modules = [copy / exercise.id / f for f in exercise.files if f.endswith(".py")]
    for m in modules:
        if not m.is_file():
            raise MutationError(f"reference file missing: {reference / m.name}")
    command = shlex.join([sys.executable, "-m", "grader", "grade", str(copy), "-e", exercise.id, "--fail-under", "100",
                          "--exitfirst", "-n", "0", "-q", "--out", str(work / "report")])
    config = ConfigDict({
        "module-path": [str(m) for m in modules], "timeout": test_timeout(exercise), "excluded-modules": [],
        "test-command": command, "distributor": ConfigDict({"name": "local"}),
    })
    cfg, db, log = work / "cosmic-ray.toml", work / "session.sqlite", work / "cosmic-ray.log"
    cfg.write_text(serialize_config(config), encoding="utf-8")

    baseline = subprocess.run(shlex.split(command), cwd=catalog.REPO, capture_output=True, text=True,
                              timeout=test_timeout(exercise))
    if baseline.returncode != 0:
        raise MutationError(f"the unmutated reference does not score 100% (grader exit {baseline.returncode}); "
                            f"see: grader prove reference -e {exercise.id}\n{(baseline.stdout + baseline.stderr)[-2000:]}")

    if _cosmic_ray("init", str(cfg), str(db), cwd=catalog.REPO, log=log).wait() != 0:
        raise MutationError(f"cosmic-ray init failed:\n{_tail(log)}")
    sources = {m.name: m.read_text(encoding="utf-8") for m in modules}
    with use_db(str(db), WorkDB.Mode.open) as wdb:
        items = list(wdb.work_items)
        ids = dict(zip((i.job_id for i in items), name_mutants([i.mutations[0] for i in items], sources), strict=True))
        if only:
            skipped = [job for job, mid in ids.items() if not any(t in mid for t in only)]
            if skipped:
                wdb.set_multiple_results(skipped, WorkResult(output="not selected (--only)",
                                                             worker_outcome=WorkerOutcome.SKIPPED))
        todo = len(items) - wdb.num_results

    if todo:
        proc = _cosmic_ray("exec", str(cfg), str(db), cwd=catalog.REPO, log=log)
        last = time.monotonic()
        try:
            while True:
                try:
                    rc = proc.wait(timeout=5)
                    break
                except subprocess.TimeoutExpired:
                    if time.monotonic() - last >= PROGRESS_EVERY:
                        last = time.monotonic()
                        try:
                            with use_db(str(db), WorkDB.Mode.open) as wdb:
                                progress(f"      {exercise.id}: {wdb.num_results}/{len(items)} mutants done "
                                         f"({time.monotonic() - started:.0f} s)")
                        except Exception:  # the database may be busy: skip this progress line
                            pass
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        if rc != 0:
            raise MutationError(f"cosmic-ray exec failed (exit {rc}):\n{_tail(log)}")

    mutants = []
    with use_db(str(db), WorkDB.Mode.open) as wdb:
        results = {item.job_id: result for item, result in wdb.completed_work_items}
    for item in items:
        spec, result = item.mutations[0], results.get(item.job_id)
        file = Path(spec.module_path).name
        mutants.append(Mutant(id=ids[item.job_id], file=file, line=spec.start_pos[0], function=spec.definition_name,
                              operator=spec.operator_name, outcome=_outcome(result),
                              diff=_diff(result.diff if result else None, file)))
    mutants.sort(key=lambda m: (m.file, m.line, m.operator, m.id))
    return mutants, time.monotonic() - started


def summarize(exercise: catalog.Exercise, mutants: list[Mutant], seconds: float, partial: bool = False) -> dict:
    """The committed summary (``mutation.json``), and ``problems``: why the proof fails
    (unexplained survivors; equivalents that no longer survive or no longer exist)."""
    from importlib.metadata import version

    equivalent = {e.id: e.why for e in exercise.equivalent}
    by_outcome: dict[str, list[Mutant]] = {}
    for m in mutants:
        by_outcome.setdefault(m.outcome, []).append(m)
    survivors = by_outcome.get("survived", [])
    explained = [m for m in survivors if m.id in equivalent]
    unexplained = [m for m in survivors if m.id not in equivalent]
    problems = [f"survivor {m.file}:{m.line} {m.operator} — id {m.id!r}" for m in unexplained]
    problems += [f"{o}: {m.file}:{m.line} {m.operator} — id {m.id!r}" + (" (its grading did not complete: re-run "
                 "it with --only)" if o == "error" else "") for o in ("error", "incompetent", "not-run")
                 for m in by_outcome.get(o, [])]
    if not partial:
        outcome = {m.id: m.outcome for m in mutants}
        for eid in equivalent:
            if eid not in outcome:
                problems.append(f"[mutation].equivalent names no mutant of the reference (its line changed?): {eid!r}")
            elif outcome[eid] != "survived":
                problems.append(f"[mutation].equivalent names a mutant that is {outcome[eid]}, remove it: {eid!r}")
    counts = {"generated": len(mutants), "graded": len(mutants) - len(by_outcome.get("skipped", []))}
    for o in ("killed", "timeout", "error", "incompetent", "survived"):
        counts[o] = len(by_outcome.get(o, []))
    counts["equivalent"], counts["unexplained"] = len(explained), len(unexplained)
    summary = {
        "exercise": exercise.id,
        "tool": f"cosmic-ray {version('cosmic_ray')}",
        "test_command": f"grader grade <copy of reference> -e {exercise.id} --fail-under 100 --exitfirst -n 0 -q",
        "timeout_s": round(test_timeout(exercise)),
        "duration_s": round(seconds),
        "counts": counts,
        "equivalent": [{"id": m.id, "why": equivalent[m.id]} for m in explained],
        "survivors": [{k: v for k, v in asdict(m).items() if k != "outcome"} for m in unexplained],
        "timeouts": [m.id for m in by_outcome.get("timeout", [])],
        "errors": [m.id for m in by_outcome.get("error", [])],
        "incompetent": [m.id for m in by_outcome.get("incompetent", [])],
    }
    if partial:
        summary["partial"] = True
    return {"summary": summary, "problems": problems}


def write(exercise: catalog.Exercise, summary: dict) -> Path:
    path = exercise.suite / RESULT_FILE
    path.write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def _line(summary: dict) -> str:
    c = summary["counts"]
    parts = [f"{c['killed']} killed"]
    parts += [f"{c[k]} {k}" for k in ("timeout", "error", "incompetent", "equivalent", "unexplained") if c[k]]
    graded = f"{c['graded']} of {c['generated']}" if c["graded"] != c["generated"] else f"{c['generated']}"
    return f"{graded} mutants: {', '.join(parts)}  ({summary['duration_s']} s)"


def prove_mutation(ids=(), units=(), only=()) -> int:
    """``grader prove --mutation``: one exercise after the other (one cosmic-ray worker)."""
    try:
        import cosmic_ray  # noqa: F401
    except ImportError:
        print("grader: 需要 cosmic-ray：pip install -e '.[dev]'\ngrader: cosmic-ray is needed: pip install -e '.[dev]'",
              file=sys.stderr)
        return 2
    exercises = catalog.select(ids=ids, units=units)
    failed = 0
    for ex in exercises:
        with tempfile.TemporaryDirectory(prefix="grader-mutation-") as tmp:
            try:
                mutants, seconds = run(ex, Path(tmp), only=only)
            except (MutationError, OSError, subprocess.SubprocessError) as exc:
                failed += 1
                print(f"FAIL {ex.id:<32} {exc}", flush=True)
                continue
        result = summarize(ex, mutants, seconds, partial=bool(only))
        summary, problems = result["summary"], result["problems"]
        if not only:
            write(ex, summary)
        failed += bool(problems)
        print(f"{'ok  ' if not problems else 'FAIL'} {ex.id:<32} {_line(summary)}", flush=True)
        for p in problems:
            print(f"      {p}")
        for s in summary["survivors"]:
            print("\n".join(f"        {line}" for line in s["diff"].splitlines()[2:]))
    where = "" if only else f" (summaries: tests/<unit>/<name>/{RESULT_FILE})"
    print(f"{len(exercises) - failed} proven, {failed} failed{where}")
    return 1 if failed or not exercises else 0
