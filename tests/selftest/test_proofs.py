"""The suites are proven on every run: reference 100%, stub 0%, every mutant caught."""
import pytest

from grader import catalog
from grader.prove import proofs_for, run_proof

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
            assert m.path.is_dir() and any(m.path.iterdir()), f"{ex.id}: mutant {m.name} has no files"
            assert set(m.must_fail) <= set(ex.checks), f"{ex.id}: mutant {m.name} names unknown checks"


def test_every_check_can_fail():
    """A check that cannot fail is a defect: each one is named in some mutant's must_fail,
    and test_proof below shows that mutant really loses it."""
    untargeted = [f"{ex.id}::{name}" for ex in catalog.select() for name in ex.checks
                  if not any(name in m.must_fail for m in ex.mutants)]
    assert not untargeted, "checks no mutant must fail: " + ", ".join(untargeted)


@pytest.mark.parametrize("proof", PROOFS, ids=[p.label.replace(" ", ":") for p in PROOFS])
def test_proof(proof):
    _, problems, report = run_proof(proof)
    assert not problems, "\n".join(problems)
    assert report["left_running"] == [], report["left_running"]
