"""The same models on Spark give the same marts as on DuckDB (issue: scale out).

The small sample is run through the real pipeline twice, from the same landing files: once on DuckDB (the session's
built lakehouse) and once with ``HUNTRED_ENGINE=spark``, where ingestion writes the lake, dbt builds every seed,
model, data test and unit test on a local Spark session from the lake alone, the tables it built are imported into
the warehouse and a snapshot is published. Every table the project builds (enumerated from the manifest) is then
compared on its key, row by row (tests/transforms/engines.py), the dashboard's numbers too, and the incremental
model's daily partitions are run on Spark. One Spark session serves each dbt invocation: most of the ~8 minutes
are Spark's fixed cost per statement, not data.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from foundation.lake import spark_table_dir
from foundation.settings import Settings
from foundation.warehouse import current_snapshot
from tests.conftest import REPO, new_warehouse, point_at
from tests.transforms.engines import compare_table, model_keys

#: set by the run itself, not by the data: when a row was committed
RUN_DEPENDENT_COLUMNS = {"ingested_at"}


@pytest.fixture(scope="module")
def on_spark(built_lakehouse, generated, tmp_path_factory):
    """(the Spark run's warehouse folder, its outcome, its dbt manifest) of the sample run with HUNTRED_ENGINE=spark."""
    from orchestration.runs import run_pipeline

    warehouse = new_warehouse(tmp_path_factory.mktemp("on-spark"), generated[0])
    before = os.environ.get("HUNTRED_ENGINE")
    os.environ["HUNTRED_ENGINE"] = "spark"
    point_at(warehouse)
    try:
        outcome = run_pipeline()
    finally:
        if before is None:
            os.environ.pop("HUNTRED_ENGINE")
        else:
            os.environ["HUNTRED_ENGINE"] = before
        point_at(built_lakehouse[0])
    runs = sorted((warehouse / "dbt").glob("huntred_dbt_assets-*/manifest.json"), key=lambda p: p.stat().st_mtime)
    return warehouse, outcome, json.loads(runs[-1].read_text()) if runs else {}


def test_the_pipeline_on_spark_builds_tests_and_publishes(on_spark):
    warehouse, outcome, manifest = on_spark
    assert outcome.success and not outcome.checks_failed, (outcome.errors, outcome.checks_failed)
    results = [json.loads(p.read_text()) for p in (warehouse / "dbt").glob("*/run_results.json")]
    done = [r for run in results for r in run["results"]]
    failed = [(r["unique_id"], r["status"]) for r in done if r["status"] not in ("success", "pass")]
    assert not failed, failed
    kinds = {r["unique_id"].split(".")[0] for r in done}
    assert {"model", "seed", "test", "unit_test"} <= kinds  # the whole project ran, unit tests included
    assert manifest["metadata"]["adapter_type"] == "spark"
    assert (warehouse / "lake" / "spark" / "marts.db" / "mart_campaign_summary").is_dir()  # Spark built it


def test_every_table_is_the_same_on_both_engines(on_spark, built_lakehouse):
    warehouse, _, manifest = on_spark
    tables = model_keys(manifest)
    assert len(tables) >= 75 and ("marts", "mart_campaign_summary") in tables
    con = duckdb.connect(str(built_lakehouse[0] / "lakehouse.duckdb"), read_only=True)
    lake = Settings(warehouse_dir=warehouse).lake_dir
    differences = [d for (schema, table), key in sorted(tables.items())
                   for d in compare_table(con, schema, table, key, lake, ignore=RUN_DEPENDENT_COLUMNS)]
    assert not differences, "\n".join(map(str, differences))
    # the comparison is not vacuous: the marts hold rows on both sides
    assert con.execute("SELECT count(*) FROM marts.fct_campaign_channel_daily").fetchone()[0] > 100


def test_the_snapshot_served_holds_what_spark_built(on_spark, built_lakehouse):
    """Readers open the published snapshot whichever engine built it: the same marts, the same rows."""
    warehouse, _, _ = on_spark
    on_duckdb = duckdb.connect(str(current_snapshot(Settings(warehouse_dir=built_lakehouse[0]))), read_only=True)
    on_spark_ = duckdb.connect(str(current_snapshot(Settings(warehouse_dir=warehouse))), read_only=True)
    marts = [t for (t,) in on_duckdb.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts' ORDER BY 1").fetchall()]
    rows = lambda con: {t: con.execute(f"SELECT count(*) FROM marts.{t}").fetchone()[0] for t in marts}  # noqa: E731
    assert len(marts) > 30 and rows(on_spark_) == rows(on_duckdb)
    summary = "SELECT campaign_id, applications, hires FROM marts.mart_campaign_summary ORDER BY 1"
    assert on_spark_.execute(summary).fetchall() == on_duckdb.execute(summary).fetchall()


@pytest.mark.parametrize("change, expected", [
    ("UPDATE t SET spend_mxn = spend_mxn + 0.02 WHERE id = 'a'", "rows differ in spend_mxn"),
    ("UPDATE t SET spend_mxn = 0.03e0 WHERE id = 'a'", "rows differ in spend_mxn"),  # from 0.02: one cent
    ("UPDATE t SET label = 'other' WHERE id = 'b'", "rows differ in label"),
    ("UPDATE t SET ratio = ratio * (1 + 1e-6) WHERE id = 'b'", "rows differ in ratio"),
    ("DELETE FROM t WHERE id = 'a'", "keys only on DuckDB"),
    ("ALTER TABLE t ALTER label TYPE INTEGER USING length(label)", "column label is text on DuckDB, whole on Spark"),
    ("ALTER TABLE t DROP COLUMN ratio", "columns differ"),
    ("UPDATE t SET spend_mxn = spend_mxn + 0.004", None),  # money within a cent is the same money
])
def test_the_comparison_sees_each_kind_of_difference(tmp_path, change, expected):
    """What the equivalence test would miss if compare_table stopped looking: each difference is named."""
    con = duckdb.connect()
    con.execute("CREATE SCHEMA marts")
    con.execute("CREATE TABLE marts.m AS SELECT * FROM (VALUES ('a', 'x', 0.02e0, 0.25e0), ('b', 'y', 3.0e0, 0.5e0)) "
                "v(id, label, spend_mxn, ratio)")
    con.execute("CREATE TABLE t AS SELECT * FROM marts.m")
    con.execute(change)
    (tmp_path / "spark" / "marts.db" / "m").mkdir(parents=True)
    con.execute(f"COPY t TO '{tmp_path}/spark/marts.db/m/part-0.parquet' (FORMAT parquet)")
    found = " | ".join(map(str, compare_table(con, "marts", "m", ["id"], tmp_path)))
    assert (expected in found) if expected else found == "", found


def test_the_dashboard_shows_the_same_numbers_whichever_engine_built_them(on_spark, built_lakehouse):
    from streamlit.testing.v1 import AppTest

    from access.users import User

    def campaign_tiles(warehouse: Path) -> dict[str, str]:
        point_at(warehouse)
        at = AppTest.from_file(str(REPO / "apps" / "dashboard.py"), default_timeout=120)
        at.session_state["user"] = User("ana", "analyst")
        at.run()
        at.switch_page("views/campaigns.py").run()
        assert not at.exception, at.exception
        return {m.label: m.value for m in at.metric}

    try:
        on_spark_tiles = campaign_tiles(on_spark[0])
    finally:
        point_at(built_lakehouse[0])
    assert len(on_spark_tiles) >= 4 and on_spark_tiles == campaign_tiles(built_lakehouse[0])


def test_a_day_partition_on_spark_overwrites_its_window_only(on_spark, built_lakehouse):
    """The incremental model's daily runs on Spark (insert_overwrite of day partitions): a window is rebuilt, a day
    outside it is left alone, a re-run changes nothing, and the whole build equals DuckDB's. Last in this file: it
    changes the Spark warehouse the tests above read."""
    from orchestration.runs import run_pipeline

    warehouse = on_spark[0]
    table = spark_table_dir(Settings(warehouse_dir=warehouse).lake_dir, "marts", "fct_candidate_activity_daily")

    def daily(day: str) -> set[str]:
        before = os.environ.get("HUNTRED_ENGINE")
        os.environ["HUNTRED_ENGINE"] = "spark"
        point_at(warehouse)
        try:
            outcome = run_pipeline(job_name="daily_activity", partition_range=(day, day))
        finally:
            os.environ.pop("HUNTRED_ENGINE") if before is None else os.environ.__setitem__("HUNTRED_ENGINE", before)
            point_at(built_lakehouse[0])
        assert outcome.success, outcome.errors
        return {p.name.split("=", 1)[1] for p in table.glob("activity_date=*")}

    whole = daily("2026-03-10")  # the first build is a whole one
    assert len(whole) > 300
    # ... and equals DuckDB's whole build of the model, from the same rows
    reference = warehouse.parent / "duckdb-reference"
    reference.mkdir()
    shutil.copy(built_lakehouse[0] / "lakehouse.duckdb", reference / "lakehouse.duckdb")
    built = subprocess.run([str(Path(sys.executable).with_name("dbt")), "run", "--select", "fct_candidate_activity_daily",
                            "--project-dir", str(REPO / "transforms"), "--profiles-dir", str(REPO / "transforms"),
                            "--target-path", str(reference / "dbt")], cwd=REPO / "transforms", capture_output=True,
                           text=True, env={**os.environ, "HUNTRED_WAREHOUSE_DIR": str(reference), "HUNTRED_ENGINE": "duckdb"})
    assert built.returncode == 0, built.stdout[-2000:]
    with duckdb.connect(str(reference / "lakehouse.duckdb"), read_only=True) as con:
        assert compare_table(con, "marts", "fct_candidate_activity_daily", ["candidate_day_id"],
                             Settings(warehouse_dir=warehouse).lake_dir) == []
    for lost in ("2026-03-07", "2026-02-01"):  # one day inside partition 2026-03-10's window (5 late days), one not
        shutil.rmtree(table / f"activity_date={lost}")
    days = daily("2026-03-10")
    assert "2026-03-07" in days and "2026-02-01" not in days
    with duckdb.connect(str(warehouse / "lakehouse.duckdb"), read_only=True) as con:
        again = con.execute("SELECT * FROM marts.fct_candidate_activity_daily ORDER BY candidate_day_id").fetchall()
    daily("2026-03-10")
    with duckdb.connect(str(warehouse / "lakehouse.duckdb"), read_only=True) as con:  # imported after each run
        assert con.execute("SELECT * FROM marts.fct_candidate_activity_daily ORDER BY candidate_day_id").fetchall() == again
