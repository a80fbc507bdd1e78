"""The pytest plugin: chooses the implementation, hands suites a ``learner``, keeps points,
turns failures into learner feedback, and writes the reports at the end of the run.

It only acts on tests that live in a grading suite (a folder with ``exercise.toml``); any
other test session it is loaded into is left alone.
"""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from . import catalog
from .feedback import LearnerFailure
from .harness import Learner, state_for

DEFAULT_IMPL = catalog.REPO / "exercises"
_KEY = "grader"


def pytest_addoption(parser):
    group = parser.getgroup("grader", "grading learner submissions")
    group.addoption("--impl", default=None, help="submission folder to grade (default: exercises/)")
    group.addoption("--exercise", action="append", default=[], help="grade only this exercise id (repeatable)")
    group.addoption("--grader-report", default=None, help="write the reports (JSON, Gradescope, JUnit, Markdown) here")
    group.addoption("--learner-view", action="store_true", help="hide the messages of hidden checks in the reports")


def impl_root(config) -> Path:
    return Path(config.getoption("--impl") or DEFAULT_IMPL).resolve()


def pytest_configure(config):
    config.addinivalue_line("markers", "xdist_group(name): keep an exercise's checks on one worker")
    if config.getoption("--learner-view"):
        # pytest's own failure text would show hidden checks' names and messages: the
        # learner's view of a run is the redacted report model, written at the end.
        config.option.tbstyle = "no"
        config.option.reportchars = "N"
        config.option.verbose = min(config.option.verbose, 0)
    grading = bool(config.getoption("--impl") or config.getoption("--exercise"))
    if grading:
        try:  # a grading session: an invalid catalog is a usage error, with its message, not a traceback
            catalog.load(only=_only(config))
        except catalog.CatalogError as exc:
            raise pytest.UsageError(f"grader: invalid catalog / 练习目录有误:\n{exc}") from None
    config.stash[_STASH] = Collector(config)
    config.pluginmanager.register(config.stash[_STASH], "grader-collector")
    if grading and not hasattr(config, "workerinput"):
        # A grading run gets its own network namespace (only lo) before any worker, peer or
        # learner process exists: they all inherit it, and nothing else can reach them.
        from .sandbox import namespaces

        namespaces.enter_private_network()


def pytest_report_header(config):
    from .sandbox import current

    root = impl_root(config)
    if not root.is_dir():
        raise pytest.UsageError(f"grader: submission folder not found: {root} / 找不到提交的文件夹")
    try:
        described = current().describe()
    except RuntimeError as exc:  # the machine cannot host a sandbox as it is (e.g. a state folder not root's)
        raise pytest.UsageError(f"grader sandbox / 沙箱: {exc}") from None
    return [f"grader: grading {root}", f"grader sandbox: {described}"]


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session, config, items):
    wanted = set(config.getoption("--exercise"))
    keep, drop = [], []
    for item in items:
        ex = catalog.for_path(item.path, only=_only(config))
        if ex is None:
            (drop if wanted and catalog.suite_id(item.path) else keep).append(item)  # another exercise's suite
            continue
        if wanted and ex.id not in wanted:
            drop.append(item)
            continue
        name = getattr(item, "originalname", item.name)
        if name not in ex.checks:  # the catalog refuses this; a test made at run time could still do it
            collector = config.stash[_STASH]
            collector.problems.setdefault(ex.id, f"check {name} has no points in exercise.toml")
            drop.append(item)
            continue
        item.stash[_ITEM] = {"exercise": ex.id, "check": name, "points": ex.checks[name], "hidden": name in ex.hidden}
        item.add_marker(pytest.mark.xdist_group(ex.id))
        keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
    items[:] = keep


def _only(config) -> frozenset[str] | None:
    """The exercises this run grades when it was asked for some (the catalog reads only those)."""
    return frozenset(config.getoption("--exercise")) or None


_ITEM = pytest.StashKey[dict]()
_STASH = pytest.StashKey["Collector"]()


@pytest.fixture
def exercise(request):
    ex = catalog.for_path(request.node.path, only=_only(request.config))
    if ex is None:
        pytest.fail("the learner fixture is only for grading suites")
    return ex


@pytest.fixture
def learner(request, exercise):
    """The implementation under test, for this check's exercise."""
    root = impl_root(request.config)
    handle = Learner(exercise, root, request.node.name, state_for(exercise, root))
    handle.ensure_runnable()
    try:
        yield handle
    finally:
        handle.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    meta = item.stash.get(_ITEM, None)
    if meta is None:
        return
    report = outcome.get_result()
    info = dict(meta)
    if report.failed and call.excinfo is not None:
        exc = call.excinfo.value
        if isinstance(exc, LearnerFailure):
            info["feedback"] = exc.fields()
            report.longrepr = exc.render()
        else:
            info["feedback"] = {
                "kind": "error", "zh": "评分程序内部错误（不是你的问题，请告诉老师）。",
                "en": "Internal grader error (not your fault; please tell your instructor).",
                "details": f"{call.excinfo.typename}: {call.excinfo.value}"[:2000],
            }
    if report.skipped and call.excinfo is not None:
        info["skip_reason"] = str(call.excinfo.value)[:500]
    report.user_properties.append((_KEY, info))


def _final_sweep() -> list[str]:
    """Learner processes that outlived their check (should be none), then kill them."""
    from .sandbox import confine, undertaker

    conf = confine._CURRENT
    if conf is None or conf.uid is None:
        return []
    escaped = [f"pid {p} survived its check's kill" for p in undertaker.settle()]
    escaped += [f"pid {p}" for p in confine.list_uid_processes(conf.uid)]
    escaped += [f"pid {p} survived kill" for p in conf.sweep()]
    return escaped


def pytest_sessionfinish(session):
    if hasattr(session.config, "workerinput"):
        session.config.workeroutput["grader_left_running"] = _final_sweep()


class Collector:
    """Gathers check results on the controller (xdist or not) and writes the reports."""

    def __init__(self, config):
        self.config = config
        self.checks: dict[str, dict] = {}
        self.problems: dict[str, str] = {}  # exercise id -> why its suite did not (fully) run
        self.left_running: list[str] = []
        self.report: dict | None = None
        self.started = time.time()

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node, error):
        self.left_running += getattr(node, "workeroutput", {}).get("grader_left_running", [])

    def expected(self) -> list[str]:
        """The exercises this run was asked to grade: named with --exercise, else every
        exercise whose suite lies under (or holds) a path given to pytest. A run narrowed
        with -k or --deselect is partial on purpose and expects only what it collected."""
        if self.config.getoption("keyword") or self.config.getoption("deselect"):
            return sorted({c["exercise"] for c in self.checks.values()})
        wanted = self.config.getoption("--exercise")
        if wanted:
            return list(wanted)
        out = []
        for arg in self.config.args:
            path = Path(arg.split("::")[0])
            path = (path if path.is_absolute() else Path(self.config.invocation_params.dir) / path).resolve()
            inside = any((p / "exercise.toml").is_file() for p in (path, *path.parents))
            if not inside and not (path.is_dir() and next(path.glob("**/exercise.toml"), None)):
                continue  # not a grading suite: leave the catalog alone
            for ex in catalog.load().values():
                if ex.suite.is_relative_to(path) or path.is_relative_to(ex.suite):
                    out.append(ex.id)
        return sorted(set(out))

    @pytest.hookimpl
    def pytest_collectreport(self, report):
        """A suite that could not be collected: remember why, against its exercise."""
        if not report.failed:
            return
        where = Path(str(self.config.rootpath)) / report.nodeid.split("::")[0]
        ex = catalog.for_path(where, only=_only(self.config))
        text = str(report.longrepr)
        key = ex.id if ex is not None else report.nodeid
        self.problems.setdefault(key, "could not collect the suite / 测试套件无法收集: " + text[-1500:])

    @pytest.hookimpl
    def pytest_runtest_logreport(self, report):
        info = next((v for k, v in report.user_properties if k == _KEY), None)
        if info is None:
            return
        nodeid = report.nodeid.removesuffix("@" + info["exercise"])  # xdist's loadgroup suffix
        entry = self.checks.setdefault(nodeid, {**info, "nodeid": nodeid, "status": "passed", "duration": 0.0})
        entry["duration"] += report.duration
        if report.failed and entry["status"] != "failed":
            entry["status"] = "failed"
            entry["feedback"] = info.get("feedback") or {"kind": "error", "zh": "检查出错", "en": "check errored",
                                                         "details": str(report.longrepr)[-2000:]}
        elif report.skipped and entry["status"] == "passed":
            entry["status"] = "skipped"
            entry["skip_reason"] = info.get("skip_reason", "")

    def build(self, expected: list[str]):
        from .reports.model import build_report
        from .sandbox import current

        known = catalog.load(only=_only(self.config))
        problems = {k: v for k, v in self.problems.items() if k in known}
        # a collection error outside any exercise's suite still makes the run incomplete
        stray = {k: v for k, v in self.problems.items() if k not in known}
        report = build_report(list(self.checks.values()), impl_root(self.config), time.time() - self.started,
                              current().describe(), expected=expected, problems=problems,
                              learner_view=self.config.getoption("--learner-view"))
        report["left_running"] = self.left_running
        if stray:
            report["complete"] = False
            report["stray_errors"] = [f"{k}: {v[:500]}" for k, v in stray.items()]
        return report

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session):
        """On the controller: build the one report model, write every report, and make an
        incomplete grading visible in the exit status."""
        if hasattr(self.config, "workerinput") or self.config.option.collectonly:
            return  # a worker, or a listing of the checks: nothing was graded
        expected = self.expected()
        if not self.checks and not expected:
            return  # not a grading session (e.g. the grader's own tests)
        self.left_running += _final_sweep()
        self.report = self.build(expected)
        out = self.config.getoption("--grader-report")
        if out:
            from .reports import write_all

            self.paths = write_all(self.report, Path(out))
        if not self.report["complete"] and session.exitstatus == 0:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    @pytest.hookimpl(trylast=True)
    def pytest_terminal_summary(self, terminalreporter):
        if self.report is None:
            return
        from .reports import terminal

        terminal.write(self.report, terminalreporter)
        if getattr(self, "paths", None):
            terminalreporter.write_line("grader reports: " + ", ".join(str(p) for p in self.paths))
