"""Event-sized incremental models are built per Dagster daily partition, the window passed to dbt as vars."""
from __future__ import annotations

import shutil
from datetime import datetime

import duckdb
import polars as pl
import pytest

from orchestration.definitions import defs
from orchestration.defs.transforms import daily_build_args, daily_partitions, partition_window_vars
from orchestration.runs import partition_range_tags, run_pipeline
from tests.conftest import point_at

TABLE = "marts.fct_candidate_activity_daily"


def test_the_window_becomes_dbt_vars_and_full_refresh_ignores_it():
    start, end = datetime(2026, 3, 10), datetime(2026, 3, 12)
    assert partition_window_vars(start, end) == {"window_start": "2026-03-10", "window_end": "2026-03-12"}
    assert daily_build_args(start, end, False) == ["build", "--vars", '{"window_start": "2026-03-10", "window_end": "2026-03-12"}']
    assert daily_build_args(start, end, True) == ["build", "--full-refresh"]
    assert partition_range_tags("2026-03-10", "2026-03-11") == {
        "dagster/asset_partition_range_start": "2026-03-10", "dagster/asset_partition_range_end": "2026-03-11"}


def test_the_daily_job_is_partitioned_and_the_pipeline_is_not():
    assert defs.resolve_job_def("daily_activity").partitions_def == daily_partitions
    assert defs.resolve_job_def("pipeline").partitions_def is None
    assert defs.resolve_schedule_def("daily_activity_schedule").job_name == "daily_activity"


def _rows(warehouse) -> pl.DataFrame:
    with duckdb.connect(str(warehouse / "lakehouse.duckdb"), read_only=True) as con:
        return con.sql(f"SELECT * FROM {TABLE} ORDER BY candidate_day_id").pl()


def _daily(first: str, last: str, full_refresh: bool = False):
    outcome = run_pipeline(job_name="daily_activity", partition_range=(first, last),
                           run_config={"ops": {"huntred_dbt_daily_assets": {"config": {"full_refresh": full_refresh}}}})
    assert outcome.success, outcome.errors
    return outcome


@pytest.mark.e2e
def test_a_partition_rebuilds_its_window_only_and_a_full_refresh_rebuilds_everything(built_lakehouse, tmp_path):
    warehouse = tmp_path / "warehouse"
    shutil.copytree(built_lakehouse[0], warehouse, ignore=shutil.ignore_patterns(".writer.lock"))
    point_at(warehouse)
    _daily("2026-03-10", "2026-03-10")  # the table's first build is a whole one
    whole = _rows(warehouse)
    assert whole["activity_date"].n_unique() > 300

    # lose two days: one inside the window of partition 2026-03-10 (5 late days included), one outside
    with duckdb.connect(str(warehouse / "lakehouse.duckdb")) as con:
        con.execute(f"DELETE FROM {TABLE} WHERE activity_date IN ('2026-03-07', '2026-02-01')")
    _daily("2026-03-10", "2026-03-10")
    after = _rows(warehouse)
    days = set(after["activity_date"].cast(pl.String))
    assert "2026-03-07" in days, "the partition rebuilds the late-event days before it"
    assert "2026-02-01" not in days, "a partition must not touch days outside its window"
    again = _rows(warehouse)
    _daily("2026-03-10", "2026-03-10")
    assert _rows(warehouse).equals(again), "re-running a partition changes nothing"

    _daily("2026-03-10", "2026-03-10", full_refresh=True)
    assert _rows(warehouse).equals(whole)
    # the new table is published with the snapshot readers use
    snapshot = sorted((warehouse / "serving").glob("snapshot-*.duckdb"))[-1]
    with duckdb.connect(str(snapshot), read_only=True) as con:
        assert con.sql(f"SELECT count(*) FROM {TABLE}").fetchall()[0][0] == len(whole)


def test_the_pipeline_selection_leaves_daily_assets_to_their_job():
    from dagster import AssetKey

    from foundation.errors import UserError
    from orchestration.runs import resolve_selection

    downstream = resolve_selection(["raw/ats_events"], downstream=True)
    assert AssetKey(["staging", "stg_ats__events"]) in downstream
    assert AssetKey(["marts", "fct_candidate_activity_daily"]) not in downstream
    with pytest.raises(UserError, match="run-daily"):
        resolve_selection(["marts/fct_candidate_activity_daily"])
