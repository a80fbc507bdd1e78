"""``grader``: list the catalog, grade a submission, prove the suites, run the benchmark."""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from . import catalog

EXIT_OK, EXIT_BELOW, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


def _die(zh: str, en: str, code: int = EXIT_USAGE):
    print(f"grader: {zh}\ngrader: {en}", file=sys.stderr)
    return code


def cmd_list(args) -> int:
    from .statements import cases

    exercises = catalog.select(units=args.unit)
    counts = cases(exercises)  # a parametrised check scores per case, as in the reports
    points = {ex.id: sum(p * counts.get((ex.id, c), 1) for c, p in ex.checks.items()) for ex in exercises}
    print(f"{'id':<32} {'points':>6} {'budget':>7}  title")
    for ex in exercises:
        print(f"{ex.id:<32} {points[ex.id]:>6g} {ex.budget:>6g}s  {ex.title_zh} / {ex.title_en}  [{ex.seed}]")
    print(f"{len(exercises)} exercises, {sum(points.values()):g} points")
    return EXIT_OK


def cmd_statements(args) -> int:
    from .statements import sync

    stale = sync(write=not args.check, exercises=catalog.select(units=args.unit, ids=args.exercise))
    for line in stale:
        print(line)
    if args.check and stale:
        return _die("有练习说明的评分表缺失或过期：运行 grader statements。",
                    "Some statements' grading tables are missing or out of date: run grader statements.", EXIT_BELOW)
    return EXIT_OK


def pytest_args(impl: Path, exercises, out: Path | None, workers: str, quiet: bool, learner_view: bool,
                exitfirst: bool = False) -> list[str]:
    args = [str(ex.suite) for ex in exercises]
    args += ["--impl", str(impl), "--rootdir", str(catalog.REPO), "-c", str(catalog.REPO / "pyproject.toml"),
             "-p", "no:cacheprovider", "-rN", "--timeout", "300", "--import-mode=importlib",
             "--continue-on-collection-errors"]  # one broken suite must not stop the others
    args += ["-qq"] if quiet else ["-q"]
    if out is not None:
        args += ["--grader-report", str(out)]
    if learner_view:
        args.append("--learner-view")
    if exitfirst:
        args.append("--exitfirst")
    if workers not in ("0", "1"):
        args += ["-n", workers, "--dist", "loadgroup"]
    for ex in exercises:
        args += ["--exercise", ex.id]
    return args


def cmd_grade(args) -> int:
    impl = Path(args.path) if args.path else catalog.REPO / "exercises"
    if not impl.is_dir():
        return _die(f"找不到要评分的文件夹：{impl}", f"submission folder not found: {impl}")
    try:
        exercises = catalog.select(ids=args.exercise, units=args.unit)
    except catalog.UnknownSelection as exc:
        return _die(f"没有这个练习或单元：{exc}", f"{exc}")
    if not exercises:
        return _die("没有选中任何练习。", "no exercise selected")
    workers = args.workers or ("auto" if len(exercises) > 1 else "0")
    out = Path(args.out)
    report_file = out / "report.json"
    if report_file.exists():
        report_file.unlink()
    import pytest

    rc = pytest.main(pytest_args(impl.resolve(), exercises, out, workers, args.quiet, args.learner_view,
                                 args.exitfirst))
    if not report_file.exists() or rc not in (0, 1):
        return _die("评分没有完成（见上面的输出）。", f"grading did not complete (pytest exit code {int(rc)}; see above)",
                    EXIT_INTERNAL)
    report = json.loads(report_file.read_text(encoding="utf-8"))
    if args.exitfirst and any(c["status"] == "failed" and (c.get("feedback") or {}).get("kind") != "not-run"
                              for e in report["exercises"] for c in e["checks"]):
        return EXIT_BELOW  # stopped at a failed check, as asked: the checks after it were not run
    if not report["complete"]:
        lines = [f"  {e['id']}: {e['incomplete'][:400]}" for e in report["exercises"] if e["incomplete"]]
        lines += [f"  {s[:400]}" for s in report.get("stray_errors", [])]
        return _die("评分不完整：下列练习没有全部运行，未运行的检查按 0 分计：\n" + "\n".join(lines),
                    "grading incomplete: these exercises did not fully run; what did not run scored 0 (reports written)",
                    EXIT_INTERNAL)
    if args.fail_under is not None and report["percent"] < args.fail_under:
        return EXIT_BELOW
    return EXIT_OK


def cmd_prove(args) -> int:
    if args.mutation:
        if args.what:
            return _die(f"--mutation 单独使用，不能和 {args.what} 一起。", f"--mutation runs alone, not with {args.what}")
        from .mutation import prove_mutation

        return prove_mutation(ids=args.exercise, units=args.unit, only=args.only)
    if not args.what:
        return _die("要证明什么？reference、stubs、mutants、all，或 --mutation。",
                    "prove what? reference, stubs, mutants, all, or --mutation")
    if args.only:
        return _die("--only 只用于 --mutation。", "--only is for --mutation runs only")
    if args.repeat < 1:
        return _die("--repeat 至少是 1。", "--repeat must be at least 1")
    from .prove import prove

    return prove(args.what, ids=args.exercise, units=args.unit, jobs=args.jobs, repeat=args.repeat,
                 concurrency_only=args.concurrency_only)


def cmd_bench(args) -> int:
    from .bench import main as bench

    return bench(args)


def cmd_hanging(args) -> int:
    from .generate import write_hanging_submission

    write_hanging_submission(Path(args.out), catalog.select(ids=args.exercise, units=args.unit))
    print(args.out)
    return EXIT_OK


def cmd_mutant(args) -> int:
    from .mutants import cli as mutant_cli

    return mutant_cli(args)


def cmd_collect(args) -> int:
    from .collect import collect, ignored_markdown

    head, out = Path(args.head), Path(args.out)
    if not (head / "exercises").is_dir():
        return _die(f"{head} 下没有 exercises/ 文件夹", f"no exercises/ folder under {head}")
    taken, ignored = collect(head, out, Path(args.base) if args.base else None)
    out.mkdir(parents=True, exist_ok=True)
    (out.parent / "ignored-changes.md").write_text(ignored_markdown(ignored), encoding="utf-8")
    print(f"taken {len(taken)} learner files; {len(ignored)} other changes listed, not used")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="grader", description="Autograder for the Python course / Python 课程自动评分")
    sub = p.add_subparsers(dest="cmd", required=True)

    def selection(sp):
        sp.add_argument("--exercise", "-e", action="append", default=[], help="exercise id, e.g. tcp/basics (repeatable)")
        sp.add_argument("--unit", "-u", action="append", default=[], help="unit, e.g. advanced (repeatable)")

    sp = sub.add_parser("list", help="print the catalog")
    sp.add_argument("--unit", "-u", action="append", default=[])
    sp.set_defaults(func=cmd_list)

    sp = sub.add_parser("grade", help="grade a submission folder (default: exercises/)")
    sp.add_argument("path", nargs="?", help="folder laid out like exercises/ (default: exercises/)")
    selection(sp)
    sp.add_argument("--out", "-o", default="grader-report", help="where to write the reports (default: grader-report/)")
    sp.add_argument("--workers", "-n", default=None, help="parallel workers (default: auto when grading several exercises)")
    sp.add_argument("--quiet", "-q", action="store_true")
    sp.add_argument("--learner-view", action="store_true", help="hide hidden checks' messages in the reports")
    sp.add_argument("--fail-under", type=float, default=None, help="exit 1 if the score is below this percentage")
    sp.add_argument("--exitfirst", "-x", action="store_true",
                    help="stop at the first failed check and exit 1 (the checks after it are reported as not run)")
    sp.set_defaults(func=cmd_grade)

    sp = sub.add_parser("prove", help="prove the suites: reference 100%%, stubs 0%%, mutants lose their points")
    sp.add_argument("what", nargs="?", choices=["reference", "stubs", "mutants", "all"])
    selection(sp)
    sp.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 2)
    sp.add_argument("--mutation", action="store_true",
                    help="operator mutants of each reference (cosmic-ray, slow): all killed or recorded equivalent; "
                         "writes tests/<unit>/<name>/mutation.json")
    sp.add_argument("--only", action="append", default=[],
                    help="with --mutation: run only mutants whose id contains this text (repeatable; nothing written)")
    sp.add_argument("--repeat", "-r", type=int, default=1,
                    help="grade each proof this many times (a mutant at least its own `repeat`); every run must hold, "
                         "with the same score")
    sp.add_argument("--concurrency-only", action="store_true",
                    help="of the mutants, prove only those marked `repeat` in exercise.toml (bugs of some interleavings)")
    sp.set_defaults(func=cmd_prove)

    sp = sub.add_parser("bench", help="measure wall time and sandbox overhead on this machine")
    selection(sp)
    sp.add_argument("--repeat", type=int, default=50, help="calls timed for the overhead figure")
    sp.set_defaults(func=cmd_bench)

    sp = sub.add_parser("collect", help="copy only the learner files of a pull-request checkout")
    sp.add_argument("head", help="the pull request's checkout (untrusted)")
    sp.add_argument("out", help="submission folder to create")
    sp.add_argument("--base", help="the base branch's checkout, to list other changed files")
    sp.set_defaults(func=cmd_collect)

    sp = sub.add_parser("mutant", help="a stored mutant: show it whole, or store an edited copy as its difference")
    msub = sp.add_subparsers(dest="mutant_cmd", required=True)
    mp = msub.add_parser("show", help="write the mutant's whole files (the reference with its difference applied)")
    mp.add_argument("exercise", help="exercise id, e.g. tcp/basics")
    mp.add_argument("name", help="the mutant's name in exercise.toml")
    mp.add_argument("--out", "-o", default=None, help="write the files into this folder (default: print them)")
    mp = msub.add_parser("new", help="store an edited copy of the reference as the mutant's difference")
    mp.add_argument("exercise", help="exercise id, e.g. tcp/basics")
    mp.add_argument("name", help="the mutant's name (add [mutants.NAME] to exercise.toml too)")
    mp.add_argument("source", help="folder with the edited copies of the exercise's files")
    sp.set_defaults(func=cmd_mutant)

    sp = sub.add_parser("statements", help="write each statement's grading table from exercise.toml (--check: only compare)")
    selection(sp)
    sp.add_argument("--check", action="store_true", help="exit 1 if a table is missing or out of date")
    sp.set_defaults(func=cmd_statements)

    sp = sub.add_parser("hanging-submission", help="write a submission whose functions and servers all hang")
    sp.add_argument("out")
    selection(sp)
    sp.set_defaults(func=cmd_hanging)
    return p


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except catalog.CatalogError as exc:
        return _die(f"练习目录有误：{exc}", f"catalog error: {exc}")
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
