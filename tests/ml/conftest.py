"""A sample big enough to learn from (scale 0.1: ~2,000 candidates, 200 CVs, ~30 vacancies), built once.

Models are judged on it against their baselines; tests that train get a copy of
its warehouse (with its own MLflow store under it), so registries never mix.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import generated_and_built, point_at

ML_SCALE = 0.1


@pytest.fixture(scope="session")
def ml_lakehouse(tmp_path_factory) -> Path:
    warehouse = generated_and_built(tmp_path_factory, "ml", scale=ML_SCALE, seed=11)
    # The real set's texts embedded once here, as a warehouse that trained a matcher before holds them: each
    # test's copy then re-embeds nothing (~150 long texts, tens of seconds on two cores, per training test).
    from foundation.settings import get_settings
    from foundation.warehouse import connect_writer
    from ml.aura import real_set

    con = connect_writer(get_settings())
    try:
        real_set.load(con, get_settings().real_set_dir)
    finally:
        con.close()
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
