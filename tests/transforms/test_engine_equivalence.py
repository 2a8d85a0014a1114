"""The same models on Spark give the same marts as on DuckDB (issue: scale out).

The small sample is run through the real pipeline twice, from the same landing files: once on DuckDB (the session's
built lakehouse) and once with ``HUNTRED_ENGINE=spark``, where ingestion writes the lake, dbt builds every seed,
model, data test and unit test on a local Spark session from the lake alone, the tables it built are imported into
the warehouse and a snapshot is published. Every table the project builds (enumerated from the manifest) is then
compared on its key, row by row (tests/transforms/engines.py). One Spark session serves each dbt invocation: most
of the ~6 minutes are Spark's fixed cost per statement, not data.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb
import pytest

from foundation.settings import Settings
from foundation.warehouse import current_snapshot
from tests.conftest import new_warehouse, point_at
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
    con.execute("CREATE TABLE marts.m AS SELECT * FROM (VALUES ('a', 'x', 10.5e0, 0.25e0), ('b', 'y', 3.0e0, 0.5e0)) "
                "v(id, label, spend_mxn, ratio)")
    con.execute("CREATE TABLE t AS SELECT * FROM marts.m")
    con.execute(change)
    (tmp_path / "spark" / "marts.db" / "m").mkdir(parents=True)
    con.execute(f"COPY t TO '{tmp_path}/spark/marts.db/m/part-0.parquet' (FORMAT parquet)")
    found = " | ".join(map(str, compare_table(con, "marts", "m", ["id"], tmp_path)))
    assert (expected in found) if expected else found == "", found
