"""The lake mirrors what the warehouse committed: each run's rows once, by business day, erasures included, and a
sync killed half-way is finished by the next one (foundation/lake.py)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from foundation.lake import PARTITION, sync_ml, sync_raw
from foundation.settings import Settings
from foundation.warehouse import connect_writer
from models.warehouse import RAW_TABLES
from tests.conftest import REPO


def add_events(con, run_id: str, events: list[tuple[str, str]]) -> None:
    """ATS events (id, occurred_at in UTC) committed by one run."""
    for n, (event_id, occurred_at) in enumerate(events, 1):
        con.execute("INSERT INTO raw.ats_events VALUES (?, 'chatbot.message_sent', 'chatbot', ?::TIMESTAMPTZ, 'huntred', "
                    "'c1', NULL, '{}', 'ats/f.jsonl', ?, 'h', now(), ?)", [event_id, occurred_at, n, run_id])


def lake_rows(lake: Path, table: str = "ats_events") -> list[tuple]:
    files = f"{lake}/raw/{table}/*/*.parquet"
    if not list(lake.glob(f"raw/{table}/*/*.parquet")):
        return []
    return duckdb.sql(f"SELECT event_id, {PARTITION}::VARCHAR, _run_id FROM read_parquet('{files}', hive_partitioning = true) "
                      "ORDER BY event_id").fetchall()


@pytest.fixture
def con(tmp_path):
    con = connect_writer(Settings(warehouse_dir=tmp_path / "wh"))
    yield con
    con.close()


def test_each_run_is_written_once_in_its_mexico_city_day(con, tmp_path):
    lake = tmp_path / "lake"
    # 03:00 UTC is the evening before in Mexico City (UTC-6): the event belongs to that day
    add_events(con, "run-a", [("e1", "2026-03-02 03:00:00+00"), ("e2", "2026-03-02 15:00:00+00")])
    first = sync_raw(con, lake)
    assert first.runs_written == {"ats_events": 1} and first.rows_written == 2
    assert lake_rows(lake) == [("e1", "2026-03-01", "run-a"), ("e2", "2026-03-02", "run-a")]
    assert sync_raw(con, lake).runs_written == {}  # nothing new: nothing written
    add_events(con, "run-b", [("e3", "2026-03-02 16:00:00+00")])
    assert sync_raw(con, lake).runs_written == {"ats_events": 1}
    assert [r[0] for r in lake_rows(lake)] == ["e1", "e2", "e3"]
    assert sorted(p.name for p in lake.glob("raw/ats_events/*/*.parquet")) == ["run-a_0.parquet", "run-a_0.parquet",
                                                                               "run-b_0.parquet"]


def test_every_raw_table_has_a_business_day_the_lake_can_partition_by(con, tmp_path):
    """Each contract's business time is one of its columns, a day or a point in time (enumerated, not sampled)."""
    for table in RAW_TABLES.values():
        kind = dict(table.all_columns)[table.business_time].split()[0]
        assert kind in {"DATE", "TIMESTAMPTZ"}, (table.name, table.business_time, kind)
    sync_raw(con, tmp_path / "lake")  # the SQL of each table's business day runs (empty tables write nothing)


def test_an_erasure_reaches_the_lake(con, tmp_path):
    lake = tmp_path / "lake"
    add_events(con, "run-a", [("e1", "2026-03-01 15:00:00+00"), ("e2", "2026-03-02 15:00:00+00")])
    add_events(con, "run-b", [("e3", "2026-03-03 15:00:00+00")])
    sync_raw(con, lake)
    con.execute("DELETE FROM raw.ats_events WHERE event_id IN ('e2', 'e3')")  # what `huntred erase` does to raw
    assert sync_raw(con, lake).runs_written == {"ats_events": 1}
    assert lake_rows(lake) == [("e1", "2026-03-01", "run-a")]
    # neither the emptied day's file nor the emptied run's is left behind
    assert [p.parent.name for p in lake.glob("raw/ats_events/*/*.parquet")] == [f"{PARTITION}=2026-03-01"]
    assert [p.stem for p in lake.glob("raw/ats_events/_runs/*.json")] == ["run-a"]


def test_a_redaction_that_keeps_the_row_count_reaches_the_lake_too(con, tmp_path):
    """An erasure also rewrites rows of others that name the erased candidate (a referral): same count, new rows."""
    lake = tmp_path / "lake"
    add_events(con, "run-a", [("e1", "2026-03-01 15:00:00+00"), ("e2", "2026-03-02 15:00:00+00")])
    sync_raw(con, lake)
    con.execute("UPDATE raw.ats_events SET candidate_id = 'redacted' WHERE event_id = 'e2'")
    assert sync_raw(con, lake).runs_written == {"ats_events": 1}
    files = f"{lake}/raw/ats_events/*/*.parquet"
    assert duckdb.sql(f"SELECT candidate_id FROM '{files}' ORDER BY event_id").fetchall() == [("c1",), ("redacted",)]


def test_files_of_another_run_whose_id_starts_alike_are_not_this_runs(con, tmp_path):
    lake = tmp_path / "lake"
    add_events(con, "run", [("e1", "2026-03-01 15:00:00+00")])
    add_events(con, "run_2", [("e2", "2026-03-01 16:00:00+00")])
    sync_raw(con, lake)
    con.execute("DELETE FROM raw.ats_events WHERE event_id = 'e1'")  # run "run" is gone: only its files go
    sync_raw(con, lake)
    assert lake_rows(lake) == [("e2", "2026-03-01", "run_2")]


KILLED_SYNC = """
import sys
from pathlib import Path
import duckdb
from foundation.lake import sync_raw
con = duckdb.connect(sys.argv[1])
sync_raw(con, Path(sys.argv[2]))
"""


def test_a_sync_killed_half_way_is_finished_by_the_next(tmp_path):
    db, lake = tmp_path / "wh" / "lakehouse.duckdb", tmp_path / "lake"
    con = connect_writer(Settings(warehouse_dir=db.parent))
    add_events(con, "run-a", [("e1", "2026-03-01 15:00:00+00"), ("e2", "2026-03-02 15:00:00+00")])
    con.close()
    killed = subprocess.run([sys.executable, "-c", KILLED_SYNC, str(db), str(lake)], cwd=REPO, capture_output=True,
                            env={"HUNTRED_FAULT": "lake:after_first_file", "PATH": "", "PYTHONPATH": str(REPO)})
    assert killed.returncode == -9, killed.stderr
    assert len(lake_rows(lake)) == 1 and not list(lake.glob("raw/ats_events/_runs/*.json"))  # no marker: not done
    con = duckdb.connect(str(db))
    assert sync_raw(con, lake).runs_written == {"ats_events": 1}
    assert [r[0] for r in lake_rows(lake)] == ["e1", "e2"]  # each row once, over the same file names
    con.close()


def test_ml_tables_are_replaced_whole(con, tmp_path):
    lake = tmp_path / "lake"
    con.execute("INSERT INTO ml.churn_scores VALUES ('c1', 'huntred', DATE '2026-03-01', 0.4, 5, '[]', '3', now())")
    sync_ml(con, lake, "v1")
    read = lambda: duckdb.sql(f"SELECT candidate_id FROM '{lake}/ml/churn_scores/*.parquet'").fetchall()  # noqa: E731
    assert read() == [("c1",)]
    con.execute("DELETE FROM ml.churn_scores")  # a new scoring that scored nobody
    written = sync_ml(con, lake, "v2")
    assert "churn_scores" in written and "embeddings" not in written  # the embedding cache is the writer's own
    assert [p.name for p in (lake / "ml" / "churn_scores").glob("*.parquet")] == ["v2.parquet"] and read() == []


def test_only_the_files_spark_committed_are_imported(tmp_path):
    """A killed or running Spark write leaves _temporary/ and .spark-staging-*/ files that Spark itself skips."""
    from foundation.lake import import_spark_tables, spark_table_dir

    folder = spark_table_dir(tmp_path, "marts", "m")
    con = duckdb.connect()
    for relative, n in (("day=2026-03-01/part-0.parquet", 2), ("day=2026-03-02/part-0.parquet", 1),
                        ("day=2026-03-01/_temporary/0/part-1.parquet", 5), (".spark-staging-x/day=2026-03-02/part-2.parquet", 7)):
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        con.execute(f"COPY (SELECT range AS id FROM range({n})) TO '{folder / relative}' (FORMAT parquet)")
    import_spark_tables(con, tmp_path, [("marts", "m")])
    assert con.execute("SELECT count(*), count(DISTINCT day) FROM marts.m").fetchone() == (3, 2)
    with pytest.raises(FileNotFoundError, match="marts.n"):
        import_spark_tables(con, tmp_path, [("marts", "n")])
    assert con.execute("SELECT count(*) FROM marts.m").fetchone()[0] == 3  # a failed import changes nothing
