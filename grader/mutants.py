"""Mutants stored as their difference from the reference.

A mutant is ``tests/<unit>/<exercise>/mutants/<name>.patch``: one unified diff (3 lines of
context) against ``reference/<unit>/<exercise>/``, headed ``--- a/<file>`` / ``+++ b/<file>``
with the exercise's plain file names, one section per changed file.

It is applied strictly: every context and removed line must be found exactly as written
(a hunk may have moved by at most ``MAX_OFFSET`` lines, never fuzzed). When the reference
has changed under a mutant, applying it fails with a message saying so, and the mutant is
made again with ``grader mutant new``.

Files are handled as bytes decoded as UTF-8 (``surrogateescape``) and split on ``\\n`` only,
so CRLF, non-ASCII text and a missing final newline survive byte for byte.
"""
from __future__ import annotations

import difflib
import os
import re
import shutil
import sys
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

from . import catalog

MAX_OFFSET = 10  # lines a hunk may have moved since the patch was made
NO_NEWLINE = "\\ No newline at end of file"
_HUNK = re.compile(r"@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


class MutantError(Exception):
    pass


def _read(path: Path) -> str:
    return path.read_bytes().decode("utf-8", "surrogateescape")


def _write(path: Path, text: str) -> None:
    path.write_bytes(text.encode("utf-8", "surrogateescape"))


def _lines(text: str) -> list[str]:
    """Lines with their "\\n" kept; the last one has none if the text does not end with one."""
    parts = text.split("\n")
    return [p + "\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


# -- making a patch -----------------------------------------------------------------------

def diff(reference_dir: Path, edited_dir: Path, files) -> str:
    """The unified diff turning the reference's ``files`` into the edited copies (a file
    missing from ``edited_dir`` is unchanged)."""
    out = []
    for name in files:
        if not (Path(edited_dir) / name).is_file():
            continue
        old, new = _lines(_read(Path(reference_dir) / name)), _lines(_read(Path(edited_dir) / name))
        for line in difflib.unified_diff(old, new, f"a/{name}", f"b/{name}", n=3):
            out.append(line if line.endswith("\n") else f"{line}\n{NO_NEWLINE}\n")
    return "".join(out)


# -- reading and applying one -------------------------------------------------------------

@dataclass
class Hunk:
    header: str
    old_start: int  # as written in the header (1-based; for an empty old side, the line before)
    lines: list[tuple[str, str]]  # (" " | "-" | "+", text with its "\n" if it has one)

    @property
    def old(self) -> list[str]:
        return [t for op, t in self.lines if op != "+"]

    @property
    def new(self) -> list[str]:
        return [t for op, t in self.lines if op != "-"]


def parse(patch_text: str, source: str = "patch") -> dict[str, list[Hunk]]:
    """File name -> its hunks, in order. Lines outside file sections (e.g. ``diff --git``) are ignored."""
    lines = patch_text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    sections: dict[str, list[Hunk]] = {}
    i = 0

    def bad(what: str):
        raise MutantError(f"{source}: line {i + 1}: {what}: {lines[i] if i < len(lines) else '(end)'!r}")

    while i < len(lines):
        if not lines[i].startswith("--- "):
            if lines[i][:1] in ("+", "-", " ", "@", "\\"):
                bad("not inside a file section")
            i += 1
            continue
        old_name = _header_name(lines[i][4:], "a/")
        i += 1
        if i >= len(lines) or not lines[i].startswith("+++ "):
            bad("expected the '+++ b/<file>' line")
        name = _header_name(lines[i][4:], "b/")
        if name != old_name:
            bad(f"renames {old_name!r} (only changes to a file are supported)")
        if name in sections:
            bad(f"a second section for {name}")
        i += 1
        hunks = sections[name] = []
        while i < len(lines) and lines[i].startswith("@@"):
            m = _HUNK.match(lines[i])
            if not m:
                bad("malformed hunk header")
            header = lines[i]
            old_len = 1 if m[2] is None else int(m[2])
            new_len = 1 if m[4] is None else int(m[4])
            hunk = Hunk(header, int(m[1]), [])
            i += 1
            while old_len or new_len:
                if i >= len(lines):
                    bad(f"hunk {header} ends early")
                line = lines[i]
                op, text = (line[:1], line[1:]) if line else (" ", "")  # a blank context line may lose its space
                if op not in (" ", "-", "+") or (op != "+" and not old_len) or (op != "-" and not new_len):
                    bad(f"does not fit hunk {header}")
                old_len -= op != "+"
                new_len -= op != "-"
                i += 1
                if i < len(lines) and lines[i].startswith("\\"):
                    i += 1  # "\ No newline at end of file": this line has no "\n"
                else:
                    text += "\n"
                hunk.lines.append((op, text))
            hunks.append(hunk)
        if not hunks:
            bad(f"no hunk for {name}")
    return sections


def _header_name(field: str, prefix: str) -> str:
    name = field.split("\t")[0].strip()
    return name[len(prefix):] if name.startswith(prefix) else name


def _patched(text: str, hunks: list[Hunk], where: str) -> str:
    src = _lines(text)
    out: list[str] = []
    pos = 0  # source lines before pos are already in out
    for hunk in hunks:
        old = hunk.old
        stated = hunk.old_start - 1 if old else hunk.old_start
        at = next((s for d in range(MAX_OFFSET + 1) for s in (stated - d, stated + d)
                   if pos <= s <= len(src) - len(old) and src[s:s + len(old)] == old), None)
        if at is None:
            raise MutantError(f"{where}: hunk {hunk.header} does not apply: {_first_mismatch(src, old, stated)}")
        out += src[pos:at] + hunk.new
        pos = at + len(old)
    return "".join(out + src[pos:])


def _first_mismatch(src: list[str], old: list[str], stated: int) -> str:
    for k, want in enumerate(old):
        got = src[stated + k] if 0 <= stated + k < len(src) else None
        if got != want:
            if got is None:
                return f"the patch expects line {stated + k + 1} to be {want!r}, but the reference has only {len(src)} lines"
            return f"the patch expects line {stated + k + 1} to be {want!r}, the reference has {got!r}"
    return "it overlaps the hunk before it"


def apply(patch_text: str, reference_dir: Path, dest_dir: Path, files, *, source: str = "patch") -> None:
    """Copy the reference's ``files`` into ``dest_dir`` and apply the patch to them, exactly.
    ``source`` names the patch in error messages."""
    sections = parse(patch_text, source)
    for name in sections:
        if name not in files:
            raise MutantError(f"{source}: changes {name!r}, which is not one of the exercise's files "
                              f"({', '.join(files)})")
    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    for name in files:
        text = _read(Path(reference_dir) / name)
        if name in sections:
            try:
                text = _patched(text, sections[name], f"{source}: {name}")
            except MutantError as exc:
                raise MutantError(f"{exc}\n{_remake_hint(source)}") from None
        _write(dest_dir / name, text)


def _remake_hint(source: str) -> str:
    m = re.search(r"tests/([^/]+/[^/]+)/mutants/([^/]+)\.patch$", Path(source).as_posix())
    ex, name = (m[1], m[2]) if m else ("EXERCISE", "NAME")
    return (f"The reference changed since this mutant was made: copy reference/{ex}/ to a folder, make the "
            f"mutant's change there again, and store it with: grader mutant new {ex} {name} FOLDER")


def submission(exercise: catalog.Exercise, mutant: catalog.Mutant, root: Path) -> Path:
    """Write ``root/<exercise.id>/``: the reference exercise folder with the mutant applied."""
    reference = catalog.REPO / "reference" / exercise.id
    dest = Path(root) / exercise.id
    shutil.copytree(reference, dest, ignore=shutil.ignore_patterns("__pycache__"))
    apply(_read(mutant.patch), reference, dest, exercise.files, source=_rel(mutant.patch))
    return Path(root)


def _rel(path: Path) -> str:
    try:
        return str(Path(path).relative_to(catalog.REPO))
    except ValueError:
        return str(path)


# -- grader mutant show | new -------------------------------------------------------------

def _fail(zh: str, en: str) -> int:
    print(f"grader: {zh}\ngrader: {en}", file=sys.stderr)
    return 2


def _exercise(ex_id: str) -> tuple[str, tuple[str, ...], Path, dict]:
    """(id, files, suite folder, mutants by name) of an exercise. When the catalog refuses to
    load (e.g. exercise.toml already names the mutant ``new`` is about to write), the
    exercise's own exercise.toml is read instead."""
    try:
        catalog.load(only=frozenset([ex_id]))
    except catalog.CatalogError as exc:
        toml = catalog.SUITES / ex_id / "exercise.toml"
        if not toml.is_file():
            raise
        own = [line for line in str(exc).splitlines() if line.startswith(_rel(toml))]
        print(f"grader: the catalog reports problems; reading {_rel(toml)} alone", *own, sep="\n", file=sys.stderr)
        data = tomllib.loads(toml.read_text(encoding="utf-8"))
        suite = toml.parent
        mutants = {n: suite / "mutants" / f"{n}.patch" for n in data.get("mutants", {})}
        return ex_id, tuple(data["files"]), suite, mutants
    ex = catalog.select(ids=[ex_id])[0]
    return ex.id, ex.files, ex.suite, {m.name: m.patch for m in ex.mutants}


def cli(args) -> int:
    try:
        ex_id, files, suite, mutants = _exercise(args.exercise)
    except catalog.CatalogError as exc:
        return _fail(f"找不到练习 {args.exercise}（或练习目录有误）。", str(exc))
    reference = catalog.REPO / "reference" / ex_id
    try:
        if args.mutant_cmd == "show":
            return _show(args, ex_id, files, mutants, reference)
        return _new(args, ex_id, files, suite, mutants, reference)
    except MutantError as exc:
        return _fail(f"变异体 {args.name} 的差异文件无法应用到参考答案（原因见下）。参考答案改过的话，"
                     f"请按参考答案重新修改一份，再用 grader mutant new 重新生成它。", str(exc))


def _show(args, ex_id, files, mutants, reference) -> int:
    if args.name not in mutants:
        close = difflib.get_close_matches(args.name, list(mutants), n=1)
        hint = f" (did you mean {close[0]}?)" if close else f" (mutants: {', '.join(mutants) or 'none'})"
        return _fail(f"练习 {ex_id} 没有名为 {args.name} 的变异体。", f"{ex_id} has no mutant {args.name!r}{hint}")
    patch = mutants[args.name]
    if not patch.is_file():
        return _fail(f"变异体文件 {_rel(patch)} 不存在。", f"{_rel(patch)} is missing; write it with grader mutant new")
    text = _read(patch)
    if args.out:
        apply(text, reference, Path(args.out), files, source=_rel(patch))
        print(f"wrote {', '.join(files)} of mutant {args.name} into {args.out}")
        return 0
    with tempfile.TemporaryDirectory(prefix="grader-mutant-") as tmp:
        apply(text, reference, Path(tmp), files, source=_rel(patch))
        changed = [n for n in files if n in parse(text)]
        try:
            for name in changed:
                sys.stdout.flush()
                sys.stdout.buffer.write(f"# ===== {name} — mutant {args.name} of {ex_id} =====\n".encode())
                sys.stdout.buffer.write((Path(tmp) / name).read_bytes())
            sys.stdout.flush()
        except BrokenPipeError:  # e.g. | head
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def _new(args, ex_id, files, suite, mutants, reference) -> int:
    if not _NAME.fullmatch(args.name):
        return _fail(f"变异体名称 {args.name!r} 不合适：只用字母、数字、. _ -。",
                     f"mutant name {args.name!r}: use letters, digits, '.', '_' and '-' only")
    source = Path(args.source)
    if not source.is_dir():
        return _fail(f"找不到文件夹 {source}。", f"folder not found: {source}")
    ignored = sorted(p.name for p in source.iterdir() if p.is_file() and p.suffix == ".py" and p.name not in files)
    if ignored:
        print(f"grader: ignored (not files of {ex_id}: {', '.join(files)}): {', '.join(ignored)}", file=sys.stderr)
    text = diff(reference, source, files)
    if not text:
        return _fail(f"{source} 里的文件与参考答案完全相同，没有可保存的变异。",
                     f"the files in {source} are the same as the reference ({', '.join(files)}); nothing to store")
    patch = suite / "mutants" / f"{args.name}.patch"
    with tempfile.TemporaryDirectory(prefix="grader-mutant-") as tmp:  # the patch must give back the edited files
        apply(text, reference, Path(tmp), files, source=_rel(patch))
        for name in files:
            if (source / name).is_file() and (Path(tmp) / name).read_bytes() != (source / name).read_bytes():
                raise MutantError(f"internal error: the patch does not reproduce {source / name}")
    patch.parent.mkdir(exist_ok=True)
    _write(patch, text)
    changed = sum(op != " " for hunks in parse(text).values() for h in hunks for op, _ in h.lines)
    print(f"wrote {_rel(patch)} ({changed} lines added or removed)")
    if args.name not in mutants:
        print(f"now add [mutants.{args.name}] with why and must_fail to {_rel(suite / 'exercise.toml')}")
    return 0
