"""The exercise catalog: one ``exercise.toml`` beside each grading suite describes it.

Everything else (discovery, points, budgets, reports, the stub/reference/mutant proofs,
the benchmark) reads exercises from here.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SUITES = REPO / "tests"


class CatalogError(Exception):
    pass


@dataclass(frozen=True)
class Mutant:
    name: str
    why: str
    must_fail: tuple[str, ...]
    path: Path


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
    probe_support: tuple[Path, ...] = ()  # shared probe modules, importable beside probe.py

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


def _load(path: Path) -> Exercise:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        suite = path.parent
        ex_id = data["id"]
        if ex_id != f"{suite.parent.name}/{suite.name}":
            raise CatalogError(f"{path}: id {ex_id!r} does not match its folder")
        mutants = tuple(
            Mutant(name, m["why"], tuple(m["must_fail"]), suite / "mutants" / name)
            for name, m in data.get("mutants", {}).items()
        )
        return Exercise(
            id=ex_id, title_zh=data["title"]["zh"], title_en=data["title"]["en"], seed=data["seed"],
            files=tuple(data["files"]), checks=dict(data["checks"]), hidden=frozenset(data.get("hidden", ())),
            timeout=float(data.get("timeout", 5)), budget=float(data.get("budget", 60)),
            servers=tuple(data.get("servers", ())), limits=dict(data.get("limits", {})),
            mutants=mutants, suite=suite,
            probe_support=tuple((suite / rel).resolve() for rel in data.get("probe_support", ())),
        )
    except (KeyError, TypeError, tomllib.TOMLDecodeError) as exc:
        raise CatalogError(f"{path}: {exc!r}") from None


@cache
def load(suites: Path = SUITES) -> dict[str, Exercise]:
    found = {}
    for path in sorted(suites.glob("*/*/exercise.toml")):
        ex = _load(path)
        found[ex.id] = ex
    return found


def for_path(path: Path, suites: Path = SUITES) -> Exercise | None:
    """The exercise whose suite folder holds ``path`` (a test file), if any."""
    path = Path(path).resolve()
    for parent in path.parents:
        if (parent / "exercise.toml").is_file():
            return load(parent.parent.parent).get(f"{parent.parent.name}/{parent.name}")
    return None


def select(ids=(), units=(), suites: Path = SUITES) -> list[Exercise]:
    exercises = list(load(suites).values())
    unknown = [i for i in ids if i not in load(suites)]
    if unknown:
        raise CatalogError(f"unknown exercise(s): {', '.join(unknown)}")
    if ids:
        exercises = [e for e in exercises if e.id in ids]
    if units:
        exercises = [e for e in exercises if e.unit in units]
    return exercises
