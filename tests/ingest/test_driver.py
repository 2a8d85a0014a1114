"""Incremental, idempotent, crash-safe, lossless ingestion against a real DuckDB file."""
from __future__ import annotations

import os
import shutil

import orjson
import pytest

from foundation.settings import get_settings
from foundation.warehouse import connect_writer
from ingest import driver
from ingest.driver import accounting_gaps, ingest_family
from models.enums import SourceFamily


def event(i: int, day: str = "2026-03-02") -> bytes:
    return orjson.dumps({"event_id": f"evt_{i}", "event_type": "gamification.points_awarded",
                         "occurred_at": f"{day}T10:00:00-06:00", "business_unit": "amigro", "candidate_id": f"cand_{i}",
                         "payload": {"points": 10, "action": "profile_update"}})


def land(name: str, lines: list[bytes]) -> None:
    path = get_settings().landing_dir / "ats_events" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\n".join(lines) + b"\n")


def counts(con) -> tuple[int, int, int]:
    return (con.sql("SELECT count(*) FROM raw.ats_events").fetchall()[0][0],
            con.sql("SELECT count(*) FROM quarantine.records").fetchall()[0][0],
            con.sql("SELECT count(*) FROM meta.ingested_files").fetchall()[0][0])


def test_reingesting_the_same_files_changes_nothing(warehouse):
    land("2026-03-02.jsonl", [event(1), event(2)])
    con = connect_writer(get_settings())
    first = ingest_family(con, get_settings().landing_dir, SourceFamily.ATS_EVENTS, "r1")
    again = ingest_family(con, get_settings().landing_dir, SourceFamily.ATS_EVENTS, "r2")
    assert (first.files_ingested, first.records_loaded) == (1, 2)
    assert (again.files_ingested, again.files_skipped, again.records_read) == (0, 1, 0)
    assert counts(con) == (2, 0, 1)


def test_a_renamed_or_touched_copy_of_a_file_is_not_ingested_twice(warehouse):
    land("2026-03-02.jsonl", [event(1)])
    con = connect_writer(get_settings())
    ingest_family(con, get_settings().landing_dir, SourceFamily.ATS_EVENTS, "r1")
    src = get_settings().landing_dir / "ats_events" / "2026-03-02.jsonl"
    shutil.copyfile(src, src.with_name("copy-of-2026-03-02.jsonl"))
    os.utime(src)  # same bytes, new mtime
    summary = ingest_family(con, get_settings().landing_dir, SourceFamily.ATS_EVENTS, "r2")
    assert (summary.files_ingested, summary.files_skipped) == (0, 2)
    assert counts(con) == (1, 0, 1)
    # the copy is reported as a duplicate of the file ingested, not skipped silently (the touched original is itself)
    assert summary.duplicate_files == [("ats_events/copy-of-2026-03-02.jsonl", "ats_events/2026-03-02.jsonl")]


def test_an_event_delivered_twice_lands_once_and_the_second_says_where_the_first_came_from(warehouse):
    land("2026-03-02.jsonl", [event(1), event(2), event(1)])
    land("2026-03-03.jsonl", [event(2), event(3)])
    con = connect_writer(get_settings())
    ingest_family(con, get_settings().landing_dir, SourceFamily.ATS_EVENTS, "r1")
    assert counts(con)[:2] == (3, 2)
    reasons = [r for (r,) in con.execute("SELECT reason FROM quarantine.records ORDER BY _source_file").fetchall()]
    assert reasons[0] == "Duplicate delivery: event_id 'evt_1' was already delivered in ats_events/2026-03-02.jsonl (record 1)."
    assert "evt_2' was already delivered in ats_events/2026-03-02.jsonl (record 2)" in reasons[1]
    # and across runs: the same event in a later delivery
    land("2026-03-04.jsonl", [event(3), event(4)])
    ingest_family(con, get_settings().landing_dir, SourceFamily.ATS_EVENTS, "r2")
    assert counts(con)[:2] == (4, 3)
    assert accounting_gaps(con, "r1") == [] and accounting_gaps(con, "r2") == []


def test_a_failure_inside_a_chunk_leaves_nothing_of_it_behind(warehouse, monkeypatch):
    land("2026-03-02.jsonl", [event(1), event(2)])
    land("2026-03-03.jsonl", [event(3), b"{broken"])
    con = connect_writer(get_settings())
    real_insert = driver._split_duplicates

    def fail_while_writing(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(driver, "_split_duplicates", fail_while_writing)
    with pytest.raises(OSError):
        ingest_family(con, get_settings().landing_dir, SourceFamily.ATS_EVENTS, "r1")
    assert counts(con) == (0, 0, 0)  # rolled back: no rows, no quarantine, no ledger entry
    monkeypatch.setattr(driver, "_split_duplicates", real_insert)
    summary = ingest_family(con, get_settings().landing_dir, SourceFamily.ATS_EVENTS, "r2")
    assert (summary.files_ingested, summary.records_loaded, summary.records_quarantined) == (2, 3, 1)


def test_files_the_source_does_not_take_are_quarantined_not_ignored(warehouse):
    land("notes.txt", [b"hello"])
    land(".partial-upload.jsonl", [event(9)])  # hidden: still being written
    con = connect_writer(get_settings())
    summary = ingest_family(con, get_settings().landing_dir, SourceFamily.ATS_EVENTS, "r1")
    assert (summary.files_found, summary.records_quarantined) == (1, 1)
    ((reason,),) = con.sql("SELECT reason FROM quarantine.records").fetchall()
    assert "ats_events/notes.txt is not a file this source takes" in reason


def test_accounting_gaps_are_detected(warehouse):
    land("2026-03-02.jsonl", [event(1), event(2)])
    con = connect_writer(get_settings())
    ingest_family(con, get_settings().landing_dir, SourceFamily.ATS_EVENTS, "r1")
    con.execute("DELETE FROM raw.ats_events WHERE event_id = 'evt_2'")  # a row silently lost
    assert accounting_gaps(con, "r1") == [("ats_events/2026-03-02.jsonl", 2, 1, 0)]
