"""Every dbt unit test, in seconds, without building the lakehouse.

A dbt unit test runs its model on the rows it is given, but reads the column types of
the model's parents from the warehouse. So the whole project is first built empty
(`dbt build --empty`, models and seeds only) into a temporary warehouse whose raw tables
are created by the same DDL ingestion uses; then `dbt test --select test_type:unit` runs
every unit test, each reported here by name. dbt is run on the project directory each
time, so an edited model or YAML is parsed afresh: the mutation runner (tests/mutation/)
relies on this file to see a broken money or attribution rule fail.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO

PROJECT = REPO / "transforms"
DBT = str(Path(sys.executable).with_name("dbt"))


def declared_unit_tests() -> list[tuple[str, str]]:
    """(model, unit test) of every `unit_tests` entry in the project's model YAML."""
    return sorted((test["model"], test["name"])
                  for path in (PROJECT / "models").rglob("_*.yml")
                  for test in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("unit_tests", []))


UNIT_TESTS = declared_unit_tests()


def dbt(args: list[str], warehouse: Path, target: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "HUNTRED_WAREHOUSE_DIR": str(warehouse)}
    return subprocess.run(
        [DBT, "--no-use-colors", *args, "--project-dir", str(PROJECT), "--profiles-dir", str(PROJECT),
         "--target-path", str(target), "--log-path", str(target / "logs")],
        cwd=PROJECT, env=env, capture_output=True, text=True)


def tail(run: subprocess.CompletedProcess, lines: int = 40) -> str:
    return "\n".join((run.stdout + run.stderr).splitlines()[-lines:])


@pytest.fixture(scope="module")
def dbt_unit_run(tmp_path_factory):
    """Build every model empty in a temporary warehouse, then run every unit test once."""
    from foundation.settings import Settings
    from foundation.warehouse import connect_writer

    root = tmp_path_factory.mktemp("dbt_unit")
    warehouse, target = root / "warehouse", root / "target"  # target: not transforms/target, which Dagster loads
    connect_writer(Settings(warehouse_dir=warehouse)).close()  # raw, meta and ml tables, as ingestion creates them
    build = dbt(["build", "--empty", "--resource-type", "model", "--resource-type", "seed"], warehouse, target)
    test = dbt(["test", "--select", "test_type:unit"], warehouse, target)
    results_file = target / "run_results.json"
    results = {}
    if results_file.exists():
        for result in json.loads(results_file.read_text())["results"]:
            if not result["unique_id"].startswith("unit_test."):
                continue  # the project's on-run-start hook reports too
            _, _, model, name = result["unique_id"].split(".", 3)
            results[(model, name)] = result
    return build, test, results


def test_every_model_builds_on_empty_inputs(dbt_unit_run):
    build, _, _ = dbt_unit_run
    assert build.returncode == 0, f"`dbt build --empty` failed:\n{tail(build)}"


def test_dbt_ran_exactly_the_declared_unit_tests(dbt_unit_run):
    _, test, results = dbt_unit_run
    assert sorted(results) == UNIT_TESTS, f"dbt ran other unit tests than the YAML declares:\n{tail(test)}"


@pytest.mark.parametrize(("model", "name"), UNIT_TESTS, ids=[f"{m}::{n}" for m, n in UNIT_TESTS])
def test_dbt_unit_test(dbt_unit_run, model, name):
    _, test, results = dbt_unit_run
    result = results.get((model, name))
    assert result is not None, f"dbt did not run the unit test {model}::{name}:\n{tail(test)}"
    assert result["status"] == "pass", f"dbt unit test {model}::{name} {result['status']}:\n{result['message']}"
