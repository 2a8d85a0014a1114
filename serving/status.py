"""What the platform holds and how fresh it is: ingested files, quarantine, table sizes (for status pages and CLI)."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import polars as pl

from access.pii import redact_text
from foundation.errors import UserError
from models.enums import SourceFamily
from serving.snapshot import BUSINESS_TZ, Snapshot

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

# Freshness = newest business timestamp per source (what the data covers), not when it was loaded: built in dbt.
DATA_FRESHNESS_SQL = "SELECT source, newest_record FROM marts.mart_source_freshness"


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
    record and reason pseudonymized unless ``reveal_pii`` (``access.pii.redact_text``: a record is free text)."""
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


@dataclass
class FileOutcome:
    """What ingestion made of one landed file."""

    path: str  # under the landing root
    ingested: bool = False
    records_read: int = 0
    records_loaded: int = 0
    quarantined: Counter = field(default_factory=Counter)  # reason code -> records
    same_bytes_as: str | None = None  # not ingested because a file with the same bytes already was


def file_outcomes(snap: Snapshot, landed: dict[str, str]) -> list[FileOutcome]:
    """For files just landed (path under the landing root -> sha256 of their bytes): records loaded and quarantined
    by reason, or the file already ingested with the same bytes (ingestion skips those)."""
    cur = snap.cursor()
    paths = list(landed)
    outcomes = {p: FileOutcome(p) for p in paths}
    for path, read, loaded in cur.sql(
            "SELECT file_path, sum(records_read), sum(records_loaded) FROM meta.ingested_files "
            "WHERE file_path IN (SELECT unnest($paths)) GROUP BY 1", params={"paths": paths}).fetchall():
        outcomes[path].ingested, outcomes[path].records_read, outcomes[path].records_loaded = True, int(read), int(loaded)
    for path, reason, n in cur.sql(
            "SELECT _source_file, reason_code, count(*) FROM quarantine.records "
            "WHERE _source_file IN (SELECT unnest($paths)) GROUP BY 1, 2", params={"paths": paths}).fetchall():
        outcomes[path].quarantined[reason] += n
    first_with = dict(cur.sql("SELECT file_sha256, min(file_path) FROM meta.ingested_files "
                              "WHERE file_sha256 IN (SELECT unnest($hashes)) GROUP BY 1",
                              params={"hashes": list(set(landed.values()))}).fetchall())
    for path, outcome in outcomes.items():
        if not outcome.ingested:
            outcome.same_bytes_as = first_with.get(landed[path])
    return [outcomes[p] for p in paths]
