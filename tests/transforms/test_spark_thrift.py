"""A Spark Thrift server stands for a cluster: HUNTRED_SPARK_THRIFT_HOST points dbt at it instead of a local session.

The server is Spark's own (HiveThriftServer2, shipped in the pyspark wheel), started here on 127.0.0.1 with the
settings a cluster's would need (its table folder is the lake's spark/ folder, UTC). The same project then builds
the ATS events' staging model through it, from the lake, and the table it wrote holds the rows DuckDB built.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from foundation.lake import spark_table_dir, sync_raw
from foundation.settings import Settings
from tests.conftest import REPO

PROJECT = REPO / "transforms"
DBT = str(Path(sys.executable).with_name("dbt"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def thrift_server(tmp_path, built_lakehouse):
    """(warehouse, port) of a Thrift server over a copy of the small sample's lake."""
    from pyspark.find_spark_home import _find_spark_home

    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    shutil.copy(built_lakehouse[0] / "lakehouse.duckdb", warehouse / "lakehouse.duckdb")
    lake = Settings(warehouse_dir=warehouse).lake_dir
    with duckdb.connect(str(warehouse / "lakehouse.duckdb")) as con:
        sync_raw(con, lake)
    port = free_port()
    home = _find_spark_home()
    log = (tmp_path / "thrift.log").open("w")
    server = subprocess.Popen(
        [f"{home}/bin/spark-submit", "--class", "org.apache.spark.sql.hive.thriftserver.HiveThriftServer2",
         "--master", "local[2]", "--conf", f"spark.sql.warehouse.dir={lake}/spark",
         "--conf", f"spark.hadoop.javax.jdo.option.ConnectionURL=jdbc:derby:;databaseName={lake}/metastore;create=true",
         "--conf", "spark.sql.session.timeZone=UTC", "--conf", "spark.ui.enabled=false",
         "--conf", "spark.sql.parquet.outputTimestampType=TIMESTAMP_MICROS",
         "--hiveconf", f"hive.server2.thrift.port={port}", "--hiveconf", "hive.server2.thrift.bind.host=127.0.0.1",
         "spark-internal"],
        cwd=lake.parent, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "SPARK_HOME": home})
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and server.poll() is None:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(1)
        else:
            pytest.fail(f"the Thrift server did not listen: {(tmp_path / 'thrift.log').read_text()[-3000:]}")
        yield warehouse, port
    finally:
        server.terminate()
        server.wait(timeout=60)


def test_the_project_builds_through_a_thrift_server(thrift_server):
    warehouse, port = thrift_server
    env = {**os.environ, "HUNTRED_WAREHOUSE_DIR": str(warehouse), "HUNTRED_ENGINE": "spark",
           "HUNTRED_SPARK_THRIFT_HOST": "127.0.0.1", "HUNTRED_SPARK_THRIFT_PORT": str(port)}
    target = warehouse / "dbt-thrift"
    # the model and the tests that read it alone (not its relationships tests, which read models not built here)
    build = subprocess.run([DBT, "--no-use-colors", "build", "--select", "stg_ats__events", "--indirect-selection",
                            "cautious", "--project-dir", str(PROJECT), "--profiles-dir", str(PROJECT),
                            "--target-path", str(target), "--log-path", str(target)],
                           cwd=PROJECT, env=env, capture_output=True, text=True, timeout=900)
    assert build.returncode == 0, build.stdout[-4000:]
    assert "thrift" in (target / "dbt.log").read_text()  # the Thrift output answered, not a local session
    built = spark_table_dir(Settings(warehouse_dir=warehouse).lake_dir, "staging", "stg_ats__events")
    with duckdb.connect(str(warehouse / "lakehouse.duckdb"), read_only=True) as con:
        query = "SELECT event_id, event_type, occurred_at, delivery_lag_days FROM {} ORDER BY event_id"
        on_duckdb = con.execute(query.format("staging.stg_ats__events")).fetchall()
        on_thrift = con.execute(query.format(f"read_parquet('{built}/*.parquet')")).fetchall()
    assert len(on_duckdb) > 1000 and on_thrift == on_duckdb
