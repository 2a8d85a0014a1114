"""Read side: queries over the current serving snapshot, shared by the CLI, dashboard and API.

Readers open the snapshot named by ``serving/CURRENT`` read-only and take one
cursor per request; a new snapshot published meanwhile is picked up on the next
``open_current()`` without disturbing cursors on the old one.
"""
from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl

from huntred.errors import UserError
from huntred.settings import Settings
from huntred.warehouse import current_snapshot
from models.enums import SourceFamily

#: huntRED works in Mexico City time; readers see timestamps there (no DST since 2022).
BUSINESS_TZ = "America/Mexico_City"


@dataclass(frozen=True)
class Snapshot:
    path: Path
    run_id: str
    published_at: datetime
    connection: duckdb.DuckDBPyConnection

    def cursor(self) -> duckdb.DuckDBPyConnection:
        return self.connection.cursor()


_lock = threading.Lock()
_open: dict[Path, Snapshot] = {}


def open_current(settings: Settings) -> Snapshot:
    """The newest published snapshot (cached per file; opening is cheap after the first time)."""
    path = current_snapshot(settings)
    if path is None:
        raise UserError("No data has been published yet.", "Run `huntred run` (or `make demo`) to build the lakehouse.")
    with _lock:
        snap = _open.get(path)
        if snap is None:
            con = duckdb.connect(str(path), read_only=True)
            (run_id, published_at), = con.sql("SELECT run_id, published_at FROM serving.snapshot_info").fetchall()
            snap = Snapshot(path, run_id, published_at, con)
            for old in [p for p in _open if p != path]:
                _open.pop(old)  # its connection closes when the last cursor on it is gone
            _open[path] = snap
        return snap


def fetch_dicts(snap: "Snapshot", sql: str, params: dict | None = None) -> list[dict]:
    """Rows as dicts through execute(): the relational .sql() binds a statement twice, which for the API's
    hot queries (wide metric expressions) doubles their time; a DataFrame is not needed there."""
    cur = snap.cursor()
    cur.execute(sql, params or None)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


class SnapshotCache:
    """Answers computed from a snapshot, least recently used first out.

    A snapshot never changes, so an answer keyed by its snapshot never goes stale: when a
    new snapshot is published, requests ask with the new key and the old entries age out.
    """

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get_or_compute(self, key, compute):
        if self.max_entries <= 0:
            return compute()
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        value = compute()  # outside the lock: two first requests may both compute, never block each other
        with self._lock:
            self._entries[key] = value
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return value


_answers: SnapshotCache | None = None


def snapshot_cached(fn):
    """Cache fn(snap, ...) per snapshot and arguments (all hashable). Callers must not mutate what it returns."""

    @functools.wraps(fn)
    def cached(snap: "Snapshot", *args, **kwargs):
        global _answers
        if _answers is None:
            from huntred.settings import get_settings

            _answers = SnapshotCache(get_settings().api_cache_entries)
        key = (fn.__qualname__, snap.path, args, tuple(sorted(kwargs.items())))
        return _answers.get_or_compute(key, lambda: fn(snap, *args, **kwargs))

    return cached


SOURCE_STATUS_SQL = """
SELECT
    source,
    count(*) AS files_ingested,
    sum(records_read) AS records_read,
    sum(records_loaded) AS rows_loaded,
    sum(records_quarantined) AS rows_quarantined,
    max(ingested_at) AS last_ingested_at
FROM meta.ingested_files
GROUP BY source
ORDER BY source
"""

QUARANTINE_SUMMARY_SQL = """
SELECT source, target_table, reason_code, count(*) AS records, max(_ingested_at) AS last_seen
FROM quarantine.records
GROUP BY ALL
ORDER BY source, target_table, reason_code
"""

QUARANTINE_RECORDS_SQL = """
SELECT source, target_table, reason_code, reason, _source_file AS source_file, _record_number AS record_number,
       record
FROM quarantine.records
WHERE ($source IS NULL OR source = $source) AND ($reason IS NULL OR reason_code = $reason)
ORDER BY _ingested_at DESC, _source_file, _record_number
LIMIT $limit
"""

# Freshness = newest business timestamp per source (what the data covers), not when it was loaded.
DATA_FRESHNESS_SQL = """
SELECT 'ats_events' AS source, max(occurred_at) AS newest_record FROM staging.stg_ats__events
-- a daily export covers its whole (Mexico City) day
UNION ALL SELECT 'channel_metrics', (max(metric_date)::VARCHAR || 'T23:59:59-06:00')::TIMESTAMPTZ
    FROM intermediate.int_channel_metrics__unified_daily
UNION ALL SELECT 'stripe', max(created_at) FROM staging.stg_stripe__events
UNION ALL SELECT 'scraped_candidates', max(created_on) FROM staging.stg_scraped__candidates
"""


def source_status(snap: Snapshot) -> pl.DataFrame:
    """Per source family: files and rows ingested, quarantined, and how recent the data is."""
    cur = snap.cursor()
    ingested = cur.sql(SOURCE_STATUS_SQL).pl()
    fresh = cur.sql(DATA_FRESHNESS_SQL).pl()
    families = pl.DataFrame({"source": [f.value for f in SourceFamily]})
    return (families.join(ingested, on="source", how="left").join(fresh, on="source", how="left")
            .with_columns(pl.col("files_ingested", "records_read", "rows_loaded", "rows_quarantined").fill_null(0),
                          pl.col("last_ingested_at", "newest_record").dt.convert_time_zone(BUSINESS_TZ)))


def quarantine_summary(snap: Snapshot) -> pl.DataFrame:
    return snap.cursor().sql(QUARANTINE_SUMMARY_SQL).pl().with_columns(pl.col("last_seen").dt.convert_time_zone(BUSINESS_TZ))


def quarantine_records(snap: Snapshot, *, source: str | None = None, reason: str | None = None, limit: int = 50,
                       reveal_pii: bool, pii_key: str | None, record_chars: int = 300) -> pl.DataFrame:
    """Quarantined records, newest first, the record cut to ``record_chars``; emails, phones and names in the
    record and reason pseudonymized unless ``reveal_pii`` (``huntred.pii.redact_text``: a record is free text)."""
    from huntred.pii import redact_text

    rows = snap.cursor().sql(QUARANTINE_RECORDS_SQL, params={"source": source, "reason": reason, "limit": limit}).pl()
    if not reveal_pii:
        if not pii_key:
            raise UserError("No pseudonymization key is configured, so quarantined records cannot be shown redacted.",
                            "Set HUNTRED_PSEUDONYM_KEY (run `huntred init` to generate one into .env).")
        redacted = [redact_text(record, why, key=pii_key) for record, why in zip(rows["record"], rows["reason"])]
        rows = rows.with_columns(pl.Series("record", [r for r, _ in redacted], pl.String),
                                 pl.Series("reason", [w for _, w in redacted], pl.String))
    # cut after redacting: a value cut in half would no longer match the field or pattern that finds it
    return rows.with_columns(pl.col("record").str.slice(0, record_chars))


def table_counts(snap: Snapshot) -> pl.DataFrame:
    return snap.cursor().sql(
        "SELECT schema_name AS schema, table_name AS table, estimated_size AS rows FROM duckdb_tables() "
        "WHERE schema_name <> 'serving' ORDER BY 1, 2").pl()


def ingested_paths(snap: Snapshot) -> set[str]:
    return {p for (p,) in snap.cursor().sql("SELECT file_path FROM meta.ingested_files").fetchall()}
