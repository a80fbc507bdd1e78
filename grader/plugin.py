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
    config.stash[_STASH] = Collector(config)
    config.pluginmanager.register(config.stash[_STASH], "grader-collector")


def pytest_report_header(config):
    from .sandbox import current

    root = impl_root(config)
    if not root.is_dir():
        raise pytest.UsageError(f"grader: submission folder not found: {root} / 找不到提交的文件夹")
    return [f"grader: grading {root}", f"grader sandbox: {current().describe()}"]


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session, config, items):
    wanted = set(config.getoption("--exercise"))
    keep, drop, seen = [], [], {}
    for item in items:
        ex = catalog.for_path(item.path)
        if ex is None:
            keep.append(item)
            continue
        if wanted and ex.id not in wanted:
            drop.append(item)
            continue
        name = getattr(item, "originalname", item.name)
        if name not in ex.checks:
            raise pytest.UsageError(f"grader: {ex.id}: check {name} has no points in exercise.toml")
        seen.setdefault(ex.id, set()).add(name)
        item.stash[_ITEM] = {"exercise": ex.id, "check": name, "points": ex.checks[name], "hidden": name in ex.hidden}
        item.add_marker(pytest.mark.xdist_group(ex.id))
        keep.append(item)
    for ex_id, names in seen.items():
        missing = set(catalog.load()[ex_id].checks) - names
        if missing and not config.getoption("keyword") and not config.getoption("deselect"):
            raise pytest.UsageError(f"grader: {ex_id}: exercise.toml lists checks with no test: {sorted(missing)}")
    if drop:
        config.hook.pytest_deselected(items=drop)
    items[:] = keep


_ITEM = pytest.StashKey[dict]()
_STASH = pytest.StashKey["Collector"]()


@pytest.fixture
def exercise(request):
    ex = catalog.for_path(request.node.path)
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
    from .sandbox import confine

    conf = confine._CURRENT
    if conf is None or conf.uid is None:
        return []
    escaped = [f"pid {p}" for p in confine.list_uid_processes(conf.uid)]
    escaped += [f"pid {p} survived kill" for p in conf.sweep()]
    return escaped


def pytest_sessionfinish(session):
    left = _final_sweep()
    if hasattr(session.config, "workerinput"):
        session.config.workeroutput["grader_left_running"] = left
    elif _STASH in session.config.stash:
        session.config.stash[_STASH].left_running += left


class Collector:
    """Gathers check results on the controller (xdist or not) and writes the reports."""

    def __init__(self, config):
        self.config = config
        self.checks: dict[str, dict] = {}
        self.left_running: list[str] = []
        self.started = time.time()

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node, error):
        self.left_running += getattr(node, "workeroutput", {}).get("grader_left_running", [])

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

    def build(self):
        from .reports.model import build_report
        from .sandbox import current

        report = build_report(list(self.checks.values()), impl_root(self.config), time.time() - self.started,
                              current().describe())
        report["left_running"] = self.left_running
        return report

    @pytest.hookimpl(trylast=True)
    def pytest_terminal_summary(self, terminalreporter):
        if not self.checks or hasattr(self.config, "workerinput"):
            return
        from .reports import terminal, write_all

        report = self.build()
        terminal.write(report, terminalreporter)
        out = self.config.getoption("--grader-report")
        if out:
            paths = write_all(report, Path(out), learner_view=self.config.getoption("--learner-view"))
            terminalreporter.write_line("grader reports: " + ", ".join(str(p) for p in paths))
