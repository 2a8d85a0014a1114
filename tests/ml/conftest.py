"""A sample big enough to learn from (scale 0.1: ~2,000 candidates, 200 CVs, ~30 vacancies), built once.

Models are judged on it against their baselines; tests that train get a copy of
its warehouse (with its own MLflow store under it), so registries never mix.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import new_warehouse, point_at

ML_SCALE = 0.1


@pytest.fixture(scope="session")
def ml_lakehouse(tmp_path_factory) -> Path:
    from orchestration.runs import run_pipeline
    from sample_data import generate

    landing = tmp_path_factory.mktemp("ml-generated") / "landing"
    generate(landing, scale=ML_SCALE, seed=11, webhook_secret=os.environ["HUNTRED_STRIPE_WEBHOOK_SECRET"])
    warehouse = new_warehouse(tmp_path_factory.mktemp("ml-built"), landing)
    point_at(warehouse)
    outcome = run_pipeline()
    assert outcome.success, outcome.errors
    return warehouse


@pytest.fixture
def ml_warehouse(ml_lakehouse, tmp_path) -> Path:
    """A private copy of the built ML sample (warehouse file, snapshot, ground truth) for a test that writes."""
    target = tmp_path / "warehouse"
    target.mkdir()
    for name in ("lakehouse.duckdb", "serving"):
        src = ml_lakehouse / name
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, target / name)
    shutil.copytree(ml_lakehouse / "landing" / "ground_truth", target / "landing" / "ground_truth")
    point_at(target)
    return target


@pytest.fixture
def writer(ml_warehouse):
    """The copy's warehouse, opened for writing (what a Dagster run's assets hold)."""
    from foundation.settings import get_settings
    from foundation.warehouse import connect_writer

    con = connect_writer(get_settings())
    yield con
    con.close()
