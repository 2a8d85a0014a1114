"""The curated mutants still apply to the current code, and the runner's pure parts do what `make mutation` needs.

Fast (no pytest runs of mutants): a refactor that moves a mutant's text, renames its file or its test fails here,
in `make test`, instead of turning into an ERROR in the next slow `make mutation`.
"""
from __future__ import annotations

import shutil

import pytest

from tests.mutation import run
from tests.mutation.run import Mutant, MutantFileError

MUTANT_FILES = sorted(run.MUTANTS_DIR.glob("*.yml"))
MUTANTS = run.load(MUTANT_FILES)


def test_there_are_mutant_files_and_each_has_mutants():
    assert MUTANT_FILES, "no tests/mutation/*.yml"
    assert {m.source for m in MUTANTS} == {p.name for p in MUTANT_FILES}, "a mutant file is empty"


def test_mutant_ids_are_unique():
    ids = [m.id for m in MUTANTS]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.id for m in MUTANTS])
def test_mutant_applies_to_the_current_code(mutant):
    """Its file exists, its text occurs exactly once there, and its tests exist (by file and test name)."""
    assert run.problem(mutant, run.REPO) is None, f"{mutant.source}: {mutant.id}: {run.problem(mutant, run.REPO)}"


def test_applying_a_mutant_changes_exactly_its_text_and_restoring_brings_back_every_byte(tmp_path):
    mutant = next(m for m in MUTANTS if m.file.endswith(".py"))
    copy = tmp_path / mutant.file
    copy.parent.mkdir(parents=True)
    shutil.copy2(run.REPO / mutant.file, copy)
    pristine = copy.read_bytes()
    with run.applied(mutant, tmp_path):
        mutated = copy.read_text(encoding="utf-8")
        at = pristine.decode("utf-8").index(mutant.find)
        assert mutated[:at] == pristine.decode("utf-8")[:at]
        assert mutated[at:at + len(mutant.replace)] == mutant.replace
        assert mutated[at + len(mutant.replace):] == pristine.decode("utf-8")[at + len(mutant.find):]
    assert copy.read_bytes() == pristine


def test_a_dbt_mutant_removes_the_manifest_so_dbt_parses_the_edited_model(tmp_path):
    mutant = next(m for m in MUTANTS if m.file.startswith("transforms/"))
    (tmp_path / mutant.file).parent.mkdir(parents=True)
    shutil.copy2(run.REPO / mutant.file, tmp_path / mutant.file)
    manifest = tmp_path / run.MANIFEST
    manifest.parent.mkdir(parents=True)
    manifest.write_text("{}")
    with run.applied(mutant, tmp_path):
        assert not manifest.exists()
        manifest.write_text("{}")  # the mutant's test session parses the mutated project
    assert not manifest.exists(), "a manifest of the mutated project must not outlive the mutant"


def test_the_file_is_restored_even_when_the_run_fails(tmp_path):
    (tmp_path / "a.py").write_text("x = 1\n")
    with pytest.raises(RuntimeError), run.applied(Mutant("m", "b", "a.py", "1", "2", ("t",), "s.yml"), tmp_path):
        raise RuntimeError
    assert (tmp_path / "a.py").read_text() == "x = 1\n"


def test_a_stale_mutant_is_a_problem_not_skipped(tmp_path):
    (tmp_path / "a.py").write_text("x = 1\ny = 1\n")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_a.py").write_text("def test_x():\n    pass\n")
    def mutant(find, tests=("tests/test_a.py",)):
        return Mutant("m", "b", "a.py", find, "2", tests, "s.yml")

    assert run.problem(mutant("x = 1"), tmp_path) is None
    assert "occurs 2 times" in run.problem(mutant("1"), tmp_path)
    assert "occurs 0 times" in run.problem(mutant("z = 1"), tmp_path)
    assert "does not exist" in run.problem(mutant("x = 1", ("tests/test_b.py",)), tmp_path)
    assert "defines no test_y" in run.problem(mutant("x = 1", ("tests/test_a.py::test_y",)), tmp_path)
    assert run.problem(mutant("x = 1", ("tests/test_a.py::test_x[a::b]",)), tmp_path) is None


@pytest.mark.parametrize("text", [
    "- id: a\n  bug: b\n  file: f\n  find: x\n  replace: y\n",  # no tests
    "- id: Not_Kebab\n  bug: b\n  file: f\n  find: x\n  replace: y\n  tests: [t]\n",
    "- id: a\n  bug: b\n  file: f\n  find: x\n  replace: x\n  tests: [t]\n",  # no change
    "- id: a\n  bug: b\n  file: f\n  find: x\n  replace: y\n  tests: []\n",
    ("- id: a\n  bug: b\n  file: f\n  find: x\n  replace: y\n  tests: [t]\n"
     "- id: a\n  bug: c\n  file: g\n  find: x\n  replace: y\n  tests: [t]\n"),  # repeated id
    "id: a\n",
])
def test_a_malformed_mutant_file_is_refused(tmp_path, text):
    (tmp_path / "m.yml").write_text(text)
    with pytest.raises(MutantFileError):
        run.load([tmp_path / "m.yml"])


def test_the_baseline_runs_each_selection_once():
    assert run.union([("a.py", "b.py::t"), ("a.py::u", "b.py::t", "c.py::v")]) == ["a.py", "b.py::t", "c.py::v"]


def test_the_killer_is_the_first_failed_test_of_the_summary():
    output = ("F\n=== short test summary info ===\n"
              "FAILED tests/ingest/test_writer_lock.py::test_second_writer_is_refused - AssertionError: x - y\n"
              "!!! stopping after 1 failures !!!\n1 failed in 2.1s\n")
    assert run.killer(output) == "tests/ingest/test_writer_lock.py::test_second_writer_is_refused"
    assert run.killer("ERROR tests/a.py::test_b - RuntimeError\n") == "tests/a.py::test_b"
    assert run.killer("1 passed\n") is None


def test_exit_codes_are_judged_as_the_runner_promises():
    assert run.judge("m", 1, "FAILED t.py::x - e\n", 1.0, 900).status == "KILLED"
    assert run.judge("m", 0, "", 1.0, 900).status == "SURVIVED"
    for code in (2, 3, 4, 5, None):
        assert run.judge("m", code, "boom\n", 1.0, 900).status == "ERROR"
    assert "timed out" in run.judge("m", None, "", 900.0, 900).detail

