"""The exercise catalog: one ``exercise.toml`` beside each grading suite describes it.

Everything else (discovery, points, budgets, reports, the stub/reference/mutant proofs,
the benchmark) reads exercises from here. Every file is validated when it is loaded: an
unknown key, a wrong type or a name that points nowhere is refused with a message naming
the file, the key and the fix, because a typo must never silently change an exercise.

``tests/course.toml`` (optional) holds what every exercise of the course shares:
``probe_support``, files or packages copied beside every probe (the probe-side kit).
"""
from __future__ import annotations

import ast
import difflib
import re
import tomllib
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SUITES = REPO / "tests"
COURSE_FILE = "course.toml"
LIMIT_KEYS = ("cpu_seconds", "memory_mb", "file_mb", "open_files", "processes")


class CatalogError(Exception):
    pass


class UnknownSelection(CatalogError):
    """An exercise id or unit asked for is not in the catalog."""


@dataclass(frozen=True)
class Mutant:
    name: str
    why: str
    must_fail: tuple[str, ...]
    patch: Path  # mutants/<name>.patch: its difference from the reference (see grader.mutants)
    repeat: int = 1  # proofs run it this many times; it must lose its checks every time


@dataclass(frozen=True)
class Equivalent:
    """An operator mutant of the reference that survives the suite because it changes nothing
    the statement asks for (``[mutation].equivalent``; see grader.mutation)."""
    id: str  # "<file>|<operator>|<n>|<line text>", as ``mutant_id`` makes it
    why: str


def mutant_id(file: str, operator: str, n: int, text: str) -> str:
    """The stable name of an operator mutant (see grader.mutation for why it is made so):
    the file, cosmic-ray's operator, the mutant's rank among mutants of that operator on
    lines with the same text, and the text of the line it changes (code only)."""
    return f"{file}|{operator}|{n}|{text}"


_MUTANT_ID = re.compile(r"(?P<file>[^|/]+)\|(?P<operator>[A-Za-z_][\w.]*/\w+)\|(?P<n>\d+)\|(?P<text>\S.*)")


def parse_mutant_id(value: str) -> dict | None:
    m = _MUTANT_ID.fullmatch(value)
    return None if m is None else {**m.groupdict(), "n": int(m["n"])}


@dataclass(frozen=True)
class Title:
    zh: str
    en: str

    def __str__(self) -> str:
        return f"{self.zh} / {self.en}"


@dataclass(frozen=True)
class Exercise:
    id: str
    title_zh: str
    title_en: str
    seed: str
    files: tuple[str, ...]
    checks: dict = field(hash=False)  # check (test function) name -> points
    hidden: frozenset = frozenset()
    timeout: float = 5.0  # one learner call, or one awaited reply, at most this long
    budget: float = 60.0  # the whole exercise's learner time; past it, checks fail at once
    servers: tuple[str, ...] = ()  # stub functions that are servers (for generated submissions)
    limits: dict = field(default_factory=dict, hash=False)
    mutants: tuple[Mutant, ...] = ()
    suite: Path = Path()
    probe_support: tuple[Path, ...] = ()  # files or packages copied beside probe.py
    titles: dict = field(default_factory=dict, hash=False)  # check name -> Title
    params: dict = field(default_factory=dict, hash=False)  # [suite] table: values a shared suite reads
    equivalent: tuple[Equivalent, ...] = ()  # [mutation].equivalent: surviving operator mutants, with why

    @property
    def unit(self) -> str:
        return self.id.split("/")[0]

    @property
    def name(self) -> str:
        return self.id.split("/")[1]

    @property
    def probe(self) -> Path:
        return self.suite / "probe.py"

    @property
    def points(self) -> float:
        return sum(self.checks.values())

    def files_in(self, root: Path) -> dict[str, Path]:
        return {name: root / self.id / name for name in self.files}

    @cached_property
    def probe_files(self) -> dict[str, Path]:
        """What is copied beside probe.py: name in the sandbox (may contain "/") -> source.
        Read once: every learner call of the exercise copies the same files."""
        out = {}
        for src in self.probe_support:
            if src.is_dir():
                for f in sorted(src.rglob("*.py")):
                    out[f"{src.name}/{f.relative_to(src).as_posix()}"] = f
            else:
                out[src.name] = src
        return out

    def title_of(self, check: str) -> Title:
        return self.titles.get(check) or Title(check, check)


# -- validation ---------------------------------------------------------------------------

_TOP = {
    "id": str, "title": dict, "seed": str, "files": list, "timeout": (int, float), "budget": (int, float),
    "servers": list, "probe_support": list, "hidden": list, "limits": dict, "checks": dict, "titles": dict,
    "mutants": dict, "suite": dict, "mutation": dict,
}
_REQUIRED = ("id", "title", "seed", "files", "checks")
_MUTANT = {"why": str, "must_fail": list, "repeat": int}
_MUTATION = {"equivalent": list}
_EQUIVALENT = {"id": str, "why": str}
_TYPE_NAMES = {str: "a string", dict: "a table", list: "a list", int: "an integer", (int, float): "a number"}


class _Problems:
    def __init__(self, path: Path):
        self.path = path
        self.items: list[str] = []

    def add(self, key: str, what: str, fix: str):
        self.items.append(f"{_rel(self.path)}: {key}: {what} — fix: {fix}")

    def unknown(self, key: str, name: str, known, where: str):
        close = difflib.get_close_matches(name, list(known), n=1)
        fix = f"did you mean {close[0]!r}?" if close else f"use one of {', '.join(sorted(known)) or '(none)'}"
        self.add(key, f"{name!r} is not {where}", fix)

    def typed(self, key: str, value, kind) -> bool:
        ok = isinstance(value, kind) and not (kind is not bool and isinstance(value, bool))
        if not ok:
            self.add(key, f"must be {_TYPE_NAMES.get(kind, kind)}, not {type(value).__name__} {value!r}",
                     f"write it as {_TYPE_NAMES.get(kind, kind)}")
        return ok


def _rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(REPO))
    except ValueError:
        return str(path)


def suite_checks(suite: Path) -> set[str]:
    """Names of the checks the suite's test files define or import (``test_*``), read
    without importing them."""
    names = set()
    for f in sorted(suite.glob("test_*.py")):
        try:
            tree = ast.parse(f.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError):
            continue  # collection reports it; the catalog is about exercise.toml
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                names.add(node.name)
            elif isinstance(node, ast.ImportFrom):
                names.update(a.asname or a.name for a in node.names)
            elif isinstance(node, ast.Assign):
                names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return {n for n in names if n.startswith("test_")}


def _defined_functions(files: list[Path]) -> set[str]:
    names = set()
    for f in files:
        try:
            tree = ast.parse(f.read_bytes())
        except (OSError, SyntaxError, ValueError):
            continue
        names.update(n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef))
    return names


def _bilingual(pb: _Problems, key: str, value) -> Title | None:
    if not pb.typed(key, value, dict):
        return None
    extra = set(value) - {"zh", "en"}
    for k in sorted(extra):
        pb.unknown(f"{key}.{k}", k, {"zh", "en"}, "a language of a title")
    for lang in ("zh", "en"):
        if lang not in value:
            pb.add(key, f"has no {lang!r}", f'write {key} = {{ zh = "…", en = "…" }}')
        elif pb.typed(f"{key}.{lang}", value[lang], str) and not value[lang].strip():
            pb.add(f"{key}.{lang}", "is empty", "write a short title")
    if set(value) >= {"zh", "en"} and all(isinstance(value[k], str) for k in ("zh", "en")):
        return Title(value["zh"].strip(), value["en"].strip())
    return None


def _course(suites: Path) -> tuple[tuple[Path, ...], list[str]]:
    path = suites / COURSE_FILE
    if not path.is_file():
        return (), []
    pb = _Problems(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        return (), [f"{_rel(path)}: not valid TOML: {exc}"]
    for key in sorted(set(data) - {"probe_support"}):
        pb.unknown(key, key, {"probe_support"}, "a key of course.toml")
    support = []
    if pb.typed("probe_support", data.get("probe_support", []), list):
        for rel in data.get("probe_support", []):
            p = (suites / str(rel)).resolve()
            if not p.exists():
                pb.add("probe_support", f"{rel!r} does not exist (looked for {_rel(p)})", "give a path relative to tests/")
            support.append(p)
    return tuple(support), pb.items


def _load(path: Path, course_support: tuple[Path, ...] = ()) -> tuple[Exercise | None, list[str]]:
    pb = _Problems(path)
    suite = path.parent
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        return None, [f"{_rel(path)}: not valid TOML: {exc} — fix: correct the syntax at the place named"]
    for key in data:
        if key not in _TOP:
            pb.unknown(key, key, _TOP, "a key of exercise.toml")
    for key in _REQUIRED:
        if key not in data:
            pb.add(key, "is missing", f"add {key} (see README: Adding an exercise)")
    for key, kind in _TOP.items():
        if key in data:
            pb.typed(key, data[key], kind)
    if pb.items:
        return None, pb.items

    ex_id = data["id"]
    if ex_id != f"{suite.parent.name}/{suite.name}":
        pb.add("id", f"{ex_id!r} does not match its folder", f'write id = "{suite.parent.name}/{suite.name}"')
    title = _bilingual(pb, "title", data["title"])
    files = data["files"]
    if not files or not all(isinstance(f, str) and f and "/" not in f for f in files):
        pb.add("files", f"{files!r} must be a non-empty list of file names", 'write files = ["module.py"]')
    for key in ("timeout", "budget"):
        if key in data and data[key] <= 0:
            pb.add(key, f"must be positive, not {data[key]!r}", "give seconds, e.g. 5")
    if data.get("timeout", 5) > data.get("budget", 60):
        pb.add("timeout", "is longer than budget", "make budget at least as long as timeout")

    checks = {}
    for name, pts in data["checks"].items():
        if pb.typed(f"checks.{name}", pts, (int, float)):
            if pts <= 0:
                pb.add(f"checks.{name}", f"points must be positive, not {pts!r}", "give it 1 or more points")
            checks[name] = pts
    if not checks:
        pb.add("checks", "is empty", "give points to every check of the suite")
    defined = suite_checks(suite)
    for name in sorted(set(checks) - defined):
        pb.unknown(f"checks.{name}", name, defined, f"a check defined in {_rel(suite)}/test_*.py")
    for name in sorted(defined - set(checks)):
        pb.add("checks", f"check {name} (in the suite) has no points", f"add {name} = <points> under [checks]")

    def names_checks(key: str, names) -> list[str]:
        if not pb.typed(key, names, list):
            return []
        for n in names:
            if n not in checks:
                pb.unknown(key, str(n), checks, "a check of this exercise")
        return [n for n in names if n in checks]

    hidden = names_checks("hidden", data.get("hidden", []))
    titles = {}
    for name, value in data.get("titles", {}).items():
        if name not in checks:
            pb.unknown(f"titles.{name}", name, checks, "a check of this exercise")
        t = _bilingual(pb, f"titles.{name}", value)
        if t is not None:
            titles[name] = t

    servers = data.get("servers", [])
    if servers:
        stubs = [REPO / "exercises" / ex_id / f for f in files if isinstance(f, str)]
        known = _defined_functions(stubs)
        for name in servers:
            if name not in known:
                pb.unknown("servers", str(name), known, "a function of the stub")

    limits = {}
    for key, value in data.get("limits", {}).items():
        if key not in LIMIT_KEYS:
            pb.unknown(f"limits.{key}", key, LIMIT_KEYS, "a limit")
        elif pb.typed(f"limits.{key}", value, int):
            if value <= 0:
                pb.add(f"limits.{key}", f"must be positive, not {value}", "give a positive whole number")
            limits[key] = value

    support = list(course_support)
    for rel in data.get("probe_support", []):
        p = (suite / str(rel)).resolve()
        if not p.exists():
            pb.add("probe_support", f"{rel!r} does not exist (looked for {_rel(p)})", "give a path relative to the suite folder")
        support.append(p)

    mutants = []
    for name, m in data.get("mutants", {}).items():
        key = f"mutants.{name}"
        if not pb.typed(key, m, dict):
            continue
        for k in m:
            if k not in _MUTANT:
                pb.unknown(f"{key}.{k}", k, _MUTANT, "a key of a mutant")
        for k in ("why", "must_fail"):
            if k not in m:
                pb.add(key, f"has no {k!r}", f"add {k} to [{key}]")
        if not all(pb.typed(f"{key}.{k}", m[k], kind) for k, kind in _MUTANT.items() if k in m):
            continue
        must_fail = names_checks(f"{key}.must_fail", m.get("must_fail", []))
        if "must_fail" in m and not m["must_fail"]:
            pb.add(f"{key}.must_fail", "is empty", "name the checks this mutant must lose")
        patch = suite / "mutants" / f"{name}.patch"
        if not patch.is_file():
            pb.add(key, f"its difference {_rel(patch)} is missing", f"write it with: grader mutant new {ex_id} {name}")
        mutants.append(Mutant(name, m.get("why", ""), tuple(must_fail), patch, int(m.get("repeat", 1))))

    equivalent = _equivalent(pb, data.get("mutation", {}), files)

    if pb.items or title is None:
        return None, pb.items
    return Exercise(
        id=ex_id, title_zh=title.zh, title_en=title.en, seed=data["seed"], files=tuple(files), checks=checks,
        hidden=frozenset(hidden), timeout=float(data.get("timeout", 5)), budget=float(data.get("budget", 60)),
        servers=tuple(servers), limits=limits, mutants=tuple(mutants), suite=suite,
        probe_support=tuple(support), titles=titles, params=dict(data.get("suite", {})),
        equivalent=tuple(equivalent),
    ), []


def _equivalent(pb: _Problems, table: dict, files) -> list[Equivalent]:
    """``[mutation]``: ``equivalent = [{ id = "<file>|<operator>|<n>|<line text>", why = "…" }]``."""
    for k in table:
        if k not in _MUTATION:
            pb.unknown(f"mutation.{k}", k, _MUTATION, "a key of [mutation]")
    entries = table.get("equivalent", [])
    if not pb.typed("mutation.equivalent", entries, list):
        return []
    out, seen = [], set()
    example = 'write { id = "mod.py|core/NumberReplacer|0|n = 0", why = "…" } (the id as mutation.json prints it)'
    for i, entry in enumerate(entries):
        key = f"mutation.equivalent[{i}]"
        if not pb.typed(key, entry, dict):
            continue
        for k in entry:
            if k not in _EQUIVALENT:
                pb.unknown(f"{key}.{k}", k, _EQUIVALENT, "a key of an equivalent mutant")
        missing = [k for k in _EQUIVALENT if k not in entry]
        for k in missing:
            pb.add(key, f"has no {k!r}", example)
        if missing or not all(pb.typed(f"{key}.{k}", entry[k], kind) for k, kind in _EQUIVALENT.items()):
            continue
        why = entry["why"].strip()
        if not why or "\n" in why:
            pb.add(f"{key}.why", "must be one non-empty line", "say in one line why the mutant changes nothing asked for")
        parsed = parse_mutant_id(entry["id"])
        if parsed is None:
            pb.add(f"{key}.id", f"{entry['id']!r} is not a mutant id", example)
        elif parsed["file"] not in files:
            pb.unknown(f"{key}.id", parsed["file"], files, "a file of this exercise")
        if entry["id"] in seen:
            pb.add(f"{key}.id", f"{entry['id']!r} is listed twice", "keep one entry per mutant")
        seen.add(entry["id"])
        out.append(Equivalent(entry["id"], why))
    return out


def exercise_ids(suites: Path = SUITES) -> list[str]:
    """The id of every exercise folder (a suite folder holding an exercise.toml), valid or not."""
    return sorted(f"{p.parent.parent.name}/{p.parent.name}" for p in suites.glob("*/*/exercise.toml"))


def suite_id(path: Path) -> str | None:
    """The id of the exercise whose suite folder holds ``path``, without reading its metadata."""
    for parent in Path(path).resolve().parents:
        if (parent / "exercise.toml").is_file():
            return f"{parent.parent.name}/{parent.name}"
    return None


@cache
def load(suites: Path = SUITES, only: frozenset[str] | None = None) -> dict[str, Exercise]:
    """Every exercise of the course, or those named in ``only``; an invalid catalog raises
    CatalogError listing every problem. A run limited to some exercises validates those alone:
    an exercise being edited does not stop the grading of another (a run over all still
    refuses any invalid one)."""
    support, problems = _course(suites)
    found = {}
    for path in sorted(suites.glob("*/*/exercise.toml")):
        if only is not None and f"{path.parent.parent.name}/{path.parent.name}" not in only:
            continue
        ex, errs = _load(path, support)
        problems += errs
        if ex is not None:
            found[ex.id] = ex
    if problems:
        raise CatalogError("\n".join(problems))
    return found


def for_path(path: Path, suites: Path = SUITES, only: frozenset[str] | None = None) -> Exercise | None:
    """The exercise whose suite folder holds ``path`` (a test file), if any (and in ``only``)."""
    path = Path(path).resolve()
    for parent in path.parents:
        if (parent / "exercise.toml").is_file():
            return load(parent.parent.parent, only).get(f"{parent.parent.name}/{parent.name}")
    return None


def select(ids=(), units=(), suites: Path = SUITES) -> list[Exercise]:
    """The exercises asked for (all when neither ids nor units are given); only those are
    read and validated."""
    known = exercise_ids(suites)
    unknown = [i for i in ids if i not in known]
    if unknown:
        close = {i: difflib.get_close_matches(i, known, n=1) for i in unknown}
        raise UnknownSelection("unknown exercise(s): " + ", ".join(
            f"{i}" + (f" (did you mean {c[0]}?)" if c else "") for i, c in close.items()))
    known_units = {i.split("/")[0] for i in known}
    bad_units = [u for u in units if u not in known_units]
    if bad_units:
        raise UnknownSelection(f"unknown unit(s): {', '.join(bad_units)} (units: {', '.join(sorted(known_units))})")
    wanted = [i for i in known if (not ids or i in ids) and (not units or i.split("/")[0] in units)]
    found = load(suites, frozenset(wanted) if (ids or units) else None)
    return [found[i] for i in wanted if i in found]
