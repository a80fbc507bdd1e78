"""The suites are proven on every run: reference 100% and stubs 0%, each graded as a whole
course in one session, and every mutant caught."""
import shutil

import pytest

from grader import catalog
from grader.mutants import MutantError, apply, diff
from grader.prove import proofs_for, run_proof, whole_session

PROOFS = proofs_for("all", catalog.select())


def test_catalog_is_not_empty():
    assert len(catalog.select()) >= 4


def test_every_exercise_has_reference_stub_and_mutants():
    for ex in catalog.select():
        for name in ex.files:
            assert (catalog.REPO / "exercises" / ex.id / name).is_file(), f"{ex.id}: stub {name} missing"
            assert (catalog.REPO / "reference" / ex.id / name).is_file(), f"{ex.id}: reference {name} missing"
        assert (catalog.REPO / "exercises" / ex.id / "README.md").is_file(), f"{ex.id}: statement missing"
        assert ex.probe.is_file(), f"{ex.id}: probe.py missing"
        assert ex.mutants, f"{ex.id}: no mutant submissions"
        for m in ex.mutants:
            assert set(m.must_fail) <= set(ex.checks), f"{ex.id}: mutant {m.name} names unknown checks"


def test_every_mutant_applies_and_changes_something(tmp_path):
    for ex in catalog.select():
        reference = catalog.REPO / "reference" / ex.id
        for m in ex.mutants:
            assert m.patch.is_file(), f"{ex.id}: mutant {m.name}: {m.patch} missing"
            dest = tmp_path / ex.id / m.name
            apply(m.patch.read_bytes().decode("utf-8"), reference, dest, ex.files, source=str(m.patch))
            changed = [f for f in ex.files if (dest / f).read_bytes() != (reference / f).read_bytes()]
            assert changed, f"{ex.id}: mutant {m.name} is the same as the reference"


def test_apply_refuses_a_patch_whose_context_changed(tmp_path):
    ex = catalog.select(ids=["tcp/basics"])[0]
    mutant = next(m for m in ex.mutants if m.name == "single-recv-server")
    reference = tmp_path / "reference"
    shutil.copytree(catalog.REPO / "reference" / ex.id, reference)
    patch = mutant.patch.read_bytes().decode("utf-8")
    hunk = next(line for line in patch.splitlines() if line.startswith("@@"))
    [name] = ex.files
    text = (reference / name).read_text(encoding="utf-8")
    context = next(line[1:] for line in patch.splitlines()  # a context line found once in the file
                   if line.startswith(" ") and line.strip() and text.count(line[1:] + "\n") == 1)
    (reference / name).write_text(text.replace(context + "\n", context + "  # edited\n"), encoding="utf-8")
    with pytest.raises(MutantError) as err:
        apply(patch, reference, tmp_path / "out", ex.files, source="mutants/single-recv-server.patch")
    message = str(err.value)
    assert "mutants/single-recv-server.patch" in message and hunk in message, message
    assert repr(context + "  # edited\n") in message, message  # the line found instead
    assert "grader mutant new" in message, message
    with pytest.raises(MutantError, match="not one of the exercise's files"):
        apply(patch, reference, tmp_path / "out", ["other.py"])


def test_diff_then_apply_round_trips(tmp_path):
    reference, edited, out = tmp_path / "reference", tmp_path / "edited", tmp_path / "out"
    reference.mkdir()
    edited.mkdir()
    files = ["a.py", "b.py", "c.py", "same.py"]
    lines = [f"x{i} = {i}\n" for i in range(30)]
    (reference / "a.py").write_text("".join(lines), encoding="utf-8")
    (edited / "a.py").write_text("".join(lines[:5] + ["x5 = '变异'  # é\n"] + lines[6:25] + lines[26:]), encoding="utf-8")
    (reference / "b.py").write_bytes("def f():\n    return '中文'".encode())  # no final newline
    (edited / "b.py").write_bytes("def f():\n    return '英文'\n# 注释".encode())
    (reference / "c.py").write_bytes(b"one\r\ntwo\r\nthree\r\n")  # CRLF kept byte for byte
    (edited / "c.py").write_bytes(b"one\r\n2\r\nthree\r\n")
    (reference / "same.py").write_text("unchanged\n", encoding="utf-8")  # missing from edited: unchanged
    patch = diff(reference, edited, files)
    assert "--- a/a.py\n+++ b/a.py\n" in patch and "--- a/b.py\n" in patch and "same.py" not in patch
    assert "\\ No newline at end of file" in patch
    apply(patch, reference, out, files)
    for name in ("a.py", "b.py", "c.py"):
        assert (out / name).read_bytes() == (edited / name).read_bytes(), name
    assert (out / "same.py").read_bytes() == (reference / "same.py").read_bytes()
    assert diff(reference, reference, files) == ""


def test_every_check_can_fail():
    """A check that cannot fail is a defect: each one is named in some mutant's must_fail,
    and test_proof below shows that mutant really loses it."""
    untargeted = [f"{ex.id}::{name}" for ex in catalog.select() for name in ex.checks
                  if not any(name in m.must_fail for m in ex.mutants)]
    assert not untargeted, "checks no mutant must fail: " + ", ".join(untargeted)


@pytest.mark.parametrize("kind", ["reference", "stub"])
def test_whole_course_in_one_session(kind):
    """Every catalog exercise graded together, as a learner's whole submission is: each one
    present and complete, the reference at 100%, the stubs at 0%, nothing left running."""
    results = whole_session(kind, catalog.select(), "2")
    assert len(results) == len(catalog.select())
    problems = [f"{proof.label}: {p}" for proof, found, _ in results for p in found]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("proof", PROOFS, ids=[p.label.replace(" ", ":") for p in PROOFS])
def test_proof(proof):
    _, problems, report = run_proof(proof)
    assert not problems, "\n".join(problems)
    assert report["left_running"] == [], report["left_running"]
