"""A strict catalog: every mistake in exercise.toml is refused with the file, the key and the fix."""
import re
import shutil
import subprocess
import sys

import pytest

from grader import catalog
from support import REPO

BASICS = REPO / "tests" / "tcp" / "basics"


@pytest.fixture
def suites(tmp_path):
    """A one-exercise course (tcp/basics) whose exercise.toml a test may spoil; its own
    [mutation] table is left out, so that a test can write one."""
    root = tmp_path / "tests"
    shutil.copytree(BASICS, root / "tcp" / "basics", ignore=shutil.ignore_patterns("__pycache__"))
    toml = root / "tcp" / "basics" / "exercise.toml"
    toml.write_text(re.sub(r"^\[mutation\]\n(?:(?!\[).*\n?)*", "", toml.read_text(encoding="utf-8"), flags=re.M),
                    encoding="utf-8")
    return root


def spoil(suites, old: str, new: str):
    path = suites / "tcp" / "basics" / "exercise.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def problems(suites) -> str:
    catalog.load.cache_clear()
    try:
        with pytest.raises(catalog.CatalogError) as err:
            catalog.load(suites)
    finally:
        catalog.load.cache_clear()
    return str(err.value)


def test_the_real_catalog_is_valid():
    catalog.load.cache_clear()
    assert len(catalog.load()) >= 37


def test_every_check_has_a_bilingual_title():
    untitled = [f"{ex.id}::{c}" for ex in catalog.select() for c in ex.checks if c not in ex.titles]
    assert not untitled, "checks without [titles] entry: " + ", ".join(untitled)


def test_a_copy_loads(suites):
    catalog.load.cache_clear()
    assert list(catalog.load(suites)) == ["tcp/basics"]
    catalog.load.cache_clear()


@pytest.mark.parametrize("old, new, expect", [
    ("budget = 40", "budegt = 40", ["exercise.toml: budegt:", "did you mean 'budget'?"]),
    ("budget = 40", 'budget = "40"', ["budget: must be a number", "not str"]),
    ('hidden = ["test_client_sends_unicode_whole"]', 'hidden = ["test_client_send_unicode_whole"]',
     ["hidden:", "did you mean 'test_client_sends_unicode_whole'?"]),
    ('must_fail = ["test_server_reads_fragmented_message"]', 'must_fail = ["test_server_reads_fragments"]',
     ["mutants.single-recv-server.must_fail:", "not a check of this exercise"]),
    ('servers = ["serve_once"]', 'servers = ["serve_one"]', ["servers:", "did you mean 'serve_once'?"]),
    ("test_server_replies = 2", "test_server_replied = 2", ["checks.test_server_replied:", "test_server_replies (in the suite) has no points"]),
    ("timeout = 5", "timeout = 5\nprobe_support = [\"../nowhere.py\"]", ["probe_support:", "does not exist"]),
    ("timeout = 5", "timeout = 5\n[limits]\nmemory = 100", ["limits.memory:", "did you mean 'memory_mb'?"]),
    ('why = "the notes\' server', 'wy = "the notes\' server', ["mutants.single-recv-server.wy:", "has no 'why'"]),
    ('id = "tcp/basics"', 'id = "tcp/basic"', ["id:", 'write id = "tcp/basics"']),
    ("timeout = 5", "timeout = 5 5", ["not valid TOML"]),
    ("timeout = 5", "timeout = 5\nmutation = { equivalnt = [] }", ["mutation.equivalnt:", "did you mean 'equivalent'?"]),
    ("timeout = 5", 'timeout = 5\nmutation = { equivalent = [{ id = "tcp_basics.py|core/AddNot|0|if x:", wy = "a" }] }',
     ["mutation.equivalent[0].wy:", "did you mean 'why'?", "mutation.equivalent[0]: has no 'why'"]),
    ("timeout = 5", 'timeout = 5\nmutation = { equivalent = [{ id = "tcp_basic.py|core/AddNot|0|if x:", why = "a" }] }',
     ["mutation.equivalent[0].id:", "did you mean 'tcp_basics.py'?"]),
    ("timeout = 5", 'timeout = 5\nmutation = { equivalent = [{ id = "tcp_basics.py AddNot if x:", why = "a" }] }',
     ["mutation.equivalent[0].id:", "is not a mutant id"]),
    ("timeout = 5", 'timeout = 5\nmutation = { equivalent = [{ id = "tcp_basics.py|core/AddNot|0|if x:", why = "" }] }',
     ["mutation.equivalent[0].why:", "one non-empty line"]),
    ("timeout = 5", 'timeout = 5\nmutation = { equivalent = "tcp_basics.py|core/AddNot|0|if x:" }',
     ["mutation.equivalent:", "must be a list"]),
    ("timeout = 5", 'timeout = 5\nmutation = { equivalent = [{ id = "tcp_basics.py|core/AddNot|0|if x:", why = "a" },'
                    ' { id = "tcp_basics.py|core/AddNot|0|if x:", why = "b" }] }',
     ["mutation.equivalent[1].id:", "listed twice"]),
])
def test_mistakes_are_refused_with_file_key_and_fix(suites, old, new, expect):
    spoil(suites, old, new)
    text = problems(suites)
    assert "tcp/basics/exercise.toml" in text
    for part in expect:
        assert part in text, text
    assert "fix:" in text or "not valid TOML" in text


def test_equivalent_mutants_are_read(suites):
    spoil(suites, "timeout = 5", 'timeout = 5\nmutation = { equivalent = [{ id = "tcp_basics.py|core/AddNot|0|if x:",'
                                 ' why = " never reached " }] }')
    catalog.load.cache_clear()
    try:
        ex = catalog.load(suites)["tcp/basics"]
    finally:
        catalog.load.cache_clear()
    assert ex.equivalent == (catalog.Equivalent("tcp_basics.py|core/AddNot|0|if x:", "never reached"),)
    assert catalog.parse_mutant_id(ex.equivalent[0].id) == {"file": "tcp_basics.py", "operator": "core/AddNot", "n": 0,
                                                            "text": "if x:"}


def test_a_missing_mutant_difference_is_refused(suites):
    (suites / "tcp" / "basics" / "mutants" / "no-reuseaddr.patch").unlink()
    assert "mutants.no-reuseaddr: its difference" in problems(suites)


def test_list_refuses_an_invalid_catalog(tmp_path):
    """`grader list` (and prove, grade) on a spoiled copy of the course: a message, exit 2, no traceback."""
    copy = tmp_path / "repo"
    shutil.copytree(REPO / "grader", copy / "grader", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(BASICS, copy / "tests" / "tcp" / "basics", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / "exercises" / "tcp" / "basics", copy / "exercises" / "tcp" / "basics")
    toml = copy / "tests" / "tcp" / "basics" / "exercise.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("budget = 40", "budegt = 40"), encoding="utf-8")
    for argv in (["list"], ["prove", "reference"]):
        run = subprocess.run([sys.executable, "-m", "grader", *argv], capture_output=True, text=True, cwd=copy,
                             env={"PYTHONPATH": str(copy), "PATH": "/usr/bin:/bin"})
        assert run.returncode == 2, (argv, run.stdout, run.stderr)
        assert "budegt" in run.stderr and "did you mean 'budget'?" in run.stderr
        assert "Traceback" not in run.stderr


def test_a_selection_reads_only_what_it_grades(suites):
    """An exercise being edited (its exercise.toml spoiled) does not stop grading another one;
    a run over every exercise still refuses it."""
    shutil.copytree(REPO / "tests" / "udp" / "echo", suites / "udp" / "echo", ignore=shutil.ignore_patterns("__pycache__"))
    spoil(suites, "budget = 40", "budegt = 40")
    catalog.load.cache_clear()
    try:
        assert [e.id for e in catalog.select(ids=["udp/echo"], suites=suites)] == ["udp/echo"]
        assert [e.id for e in catalog.select(units=["udp"], suites=suites)] == ["udp/echo"]
        for everything in (lambda: catalog.select(suites=suites), lambda: catalog.select(units=["tcp"], suites=suites)):
            with pytest.raises(catalog.CatalogError, match="budegt"):
                everything()
        with pytest.raises(catalog.UnknownSelection, match="did you mean udp/echo"):
            catalog.select(ids=["udp/ecko"], suites=suites)
    finally:
        catalog.load.cache_clear()
