"""Readers use published snapshots: a writer never blocks them, and a swap never mixes two snapshots."""
from __future__ import annotations

import duckdb

from huntred import serving
from huntred.settings import get_settings
from huntred.warehouse import connect_writer, current_snapshot, publish_snapshot


def test_readers_keep_their_snapshot_while_the_writer_works_and_see_the_new_one_after(warehouse):
    settings = get_settings()
    writer = connect_writer(settings)
    writer.execute("CREATE SCHEMA IF NOT EXISTS staging; CREATE TABLE staging.t AS SELECT 1 AS v")
    writer.close()
    publish_snapshot(settings, "run-1")
    first = serving.open_current(settings)
    old_cursor = first.cursor()

    writer = connect_writer(settings)  # a pipeline run holds the warehouse open for writing...
    writer.execute("INSERT INTO staging.t VALUES (2)")
    assert first.cursor().sql("SELECT sum(v) FROM staging.t").fetchall() == [(1,)]  # ...readers are not blocked
    writer.close()
    publish_snapshot(settings, "run-2")

    assert old_cursor.sql("SELECT sum(v) FROM staging.t").fetchall() == [(1,)]  # a cursor keeps its snapshot
    second = serving.open_current(settings)
    assert second.run_id == "run-2"
    assert second.cursor().sql("SELECT sum(v) FROM staging.t").fetchall() == [(3,)]


def test_snapshots_are_read_only_and_old_ones_are_pruned(warehouse):
    settings = get_settings()
    connect_writer(settings).close()
    for i in range(5):
        publish_snapshot(settings, f"run-{i}")
    assert len(list(settings.serving_dir.glob("snapshot-*.duckdb"))) == 1 + settings.snapshots_kept
    snap = serving.open_current(settings)
    assert snap.run_id == "run-4" and current_snapshot(settings) == snap.path
    try:
        snap.cursor().execute("CREATE TABLE meta.x (i INT)")
        raise AssertionError("a snapshot accepted a write")
    except duckdb.Error as exc:
        assert "read-only" in str(exc).lower()
