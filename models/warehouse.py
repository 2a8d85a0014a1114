"""Tables the ingestion layer writes: ``raw`` (validated records), ``quarantine`` and ``meta``.

Each raw table carries the same lineage columns so any row can be traced back to
the landing file (and line) it came from. The dbt sources in
``transforms/models/staging/*/_*__sources.yml`` declare exactly these columns; a
test keeps the two in step.
"""
from __future__ import annotations

from dataclasses import dataclass

from models.channels import CHANNEL_EXPORTS
from models.enums import SourceFamily
from models.ml import ML_DDL

LINEAGE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("_source_file", "VARCHAR NOT NULL"),  # path relative to the landing root
    ("_record_number", "BIGINT NOT NULL"),  # 1-based line / row / array position in that file
    ("_content_hash", "VARCHAR NOT NULL"),  # sha256 of the record as delivered
    ("_ingested_at", "TIMESTAMPTZ NOT NULL"),
    ("_run_id", "VARCHAR NOT NULL"),
)


@dataclass(frozen=True)
class Registry:
    """Ids the warehouse knows because raw rows announced them (a campaign by its creation event, a Stripe customer
    by its object or an event about it)."""

    sql: str  # SELECT of the known ids, over raw tables
    what: str  # in words, for the quarantine reason


@dataclass(frozen=True)
class Reference:
    """A value of a raw row that must name a registry's id; a row naming an unknown one is held in quarantine."""

    label: str  # the field, as a person reads it
    sql: str  # SQL over the row; NULL means "refers to nothing" (allowed)
    registry: str  # key of REGISTRIES


def _stripe_known(object_type: str) -> str:
    return (f"SELECT object_id FROM raw.stripe_objects WHERE object_type = '{object_type}' "
            f"UNION ALL SELECT object_id FROM raw.stripe_events WHERE object_type = '{object_type}'")


#: What staging joins on and dbt tests with ``relationships``, per referenced entity.
REGISTRIES: dict[str, Registry] = {
    "campaign": Registry("SELECT json_extract_string(event_json, '$.payload.campaign_id') FROM raw.ats_events "
                         "WHERE event_type = 'publish.campaign_created'", "campaign announced by a publish.campaign_created event"),
    "scraped_candidate": Registry("SELECT candidate_id FROM raw.scraped_candidates", "scraped candidate in a candidates.json"),
    "stripe_customer": Registry(_stripe_known("customer"), "Stripe customer (no customer object or event has been delivered)"),
    "stripe_invoice": Registry(_stripe_known("invoice"), "Stripe invoice (no invoice object or event has been delivered)"),
    "stripe_charge": Registry(_stripe_known("charge"), "Stripe charge (no charge object or event has been delivered)"),
}


def _stripe_references(object_sql: str) -> tuple[Reference, ...]:
    """A Stripe object's links as staging reads them (charges, invoices, subscriptions name a customer; ...)."""
    return (
        Reference("customer", f"CASE WHEN object_type IN ('charge', 'invoice', 'subscription') THEN {object_sql} ->> '$.customer' END",
                  "stripe_customer"),
        Reference("invoice", f"CASE WHEN object_type = 'charge' THEN {object_sql} ->> '$.invoice' END", "stripe_invoice"),
        Reference("charge", f"CASE WHEN object_type = 'refund' THEN {object_sql} ->> '$.charge' END", "stripe_charge"),
    )


@dataclass(frozen=True)
class RawTable:
    name: str
    source: SourceFamily
    columns: tuple[tuple[str, str], ...]  # (name, DuckDB type) without lineage
    key: tuple[str, ...]  # natural key: a second delivery of it is a duplicate
    #: what staging joins this table to: rows naming unknown ids are held (dbt's relationships tests hold by construction)
    references: tuple[Reference, ...] = ()
    #: the column whose day (Mexico City's) partitions the table's files in the lake: when it happened, not when it
    #: arrived, so a late event lands in its own day (foundation/lake.py)
    business_time: str = "_ingested_at"

    @property
    def qualified(self) -> str:
        return f"raw.{self.name}"

    @property
    def all_columns(self) -> tuple[tuple[str, str], ...]:
        return self.columns + LINEAGE_COLUMNS

    def ddl(self, name: str | None = None) -> str:
        cols = ",\n  ".join(f'"{n}" {t}' for n, t in self.all_columns)
        keys = ", ".join(f'"{k}"' for k in self.key)
        return f"CREATE TABLE IF NOT EXISTS raw.{name or self.name} (\n  {cols},\n  PRIMARY KEY ({keys})\n)"

    @property
    def not_null(self) -> set[str]:
        return {n for n, t in self.all_columns if "NOT NULL" in t} | set(self.key)


RAW_TABLES: dict[str, RawTable] = {
    t.name: t
    for t in (
        RawTable("ats_events", SourceFamily.ATS_EVENTS, (
            ("event_id", "VARCHAR NOT NULL"), ("event_type", "VARCHAR NOT NULL"), ("module", "VARCHAR NOT NULL"),
            ("occurred_at", "TIMESTAMPTZ NOT NULL"), ("business_unit", "VARCHAR NOT NULL"),
            ("candidate_id", "VARCHAR"), ("campaign_id", "VARCHAR"), ("event_json", "JSON NOT NULL"),
        ), ("event_id",), (
            Reference("campaign_id", "campaign_id", "campaign"),
            # posts, phases and vacancies name their campaign in the payload too (staging reads that one)
            Reference("payload.campaign_id", "json_extract_string(event_json, '$.payload.campaign_id')", "campaign"),
        ), "occurred_at"),
        *(
            RawTable(export.raw_table, SourceFamily.CHANNEL_METRICS,
                     tuple((c.native, c.duckdb_type) for c in export.columns), export.key_columns,
                     (Reference(export.column("campaign_id").native, f'"{export.column("campaign_id").native}"', "campaign"),),
                     export.column("metric_date").native)
            for export in CHANNEL_EXPORTS.values()
        ),
        RawTable("stripe_events", SourceFamily.STRIPE, (
            ("event_id", "VARCHAR NOT NULL"), ("event_type", "VARCHAR NOT NULL"), ("created_at", "TIMESTAMPTZ NOT NULL"),
            ("object_id", "VARCHAR"), ("object_type", "VARCHAR"), ("received_at", "TIMESTAMPTZ"),
            ("event_json", "JSON NOT NULL"),
        ), ("event_id",), _stripe_references("(event_json -> '$.data.object')"), "created_at"),
        RawTable("stripe_objects", SourceFamily.STRIPE, (
            # created_at is empty for a deleted object's stub and for the few resources Stripe gives no creation time
            ("object_id", "VARCHAR NOT NULL"), ("object_type", "VARCHAR NOT NULL"), ("created_at", "TIMESTAMPTZ"),
            ("observed_at", "TIMESTAMPTZ NOT NULL"), ("object_json", "JSON NOT NULL"),
        # a plan and its price share one id (Stripe's Plans API is a view of Prices): the type is part of the key
        ), ("object_type", "object_id", "observed_at"), _stripe_references("object_json"), "observed_at"),
        RawTable("scraped_candidates", SourceFamily.SCRAPED_CANDIDATES, (
            ("candidate_id", "VARCHAR NOT NULL"), ("email", "VARCHAR NOT NULL"), ("created_on", "TIMESTAMPTZ NOT NULL"),
            ("job_id", "VARCHAR"), ("status", "VARCHAR"), ("candidate_json", "JSON NOT NULL"),
        ), ("candidate_id",), (), "created_on"),
        RawTable("scraped_cvs", SourceFamily.SCRAPED_CANDIDATES, (
            ("candidate_id", "VARCHAR NOT NULL"), ("file_name", "VARCHAR NOT NULL"), ("file_format", "VARCHAR NOT NULL"),
            ("file_sha256", "VARCHAR NOT NULL"), ("file_bytes", "BIGINT NOT NULL"), ("cv_text", "VARCHAR NOT NULL"),
        ), ("candidate_id",), (Reference("candidate id (the CV's file name)", "candidate_id", "scraped_candidate"),)),
    )
}

QUARANTINE_DDL = """
CREATE TABLE IF NOT EXISTS quarantine.records (
  source VARCHAR NOT NULL,          -- source family
  target_table VARCHAR NOT NULL,    -- raw table the record was meant for
  reason_code VARCHAR NOT NULL,     -- models.enums.QuarantineReason
  reason VARCHAR NOT NULL,          -- one sentence a person understands
  record VARCHAR,                   -- the record as delivered (may be unparseable)
  subject_id VARCHAR,               -- the candidate the record is about, where the text names one: erasure finds it
  _source_file VARCHAR NOT NULL,
  _record_number BIGINT NOT NULL,
  _content_hash VARCHAR NOT NULL,
  _ingested_at TIMESTAMPTZ NOT NULL,
  _run_id VARCHAR NOT NULL,
  PRIMARY KEY (_source_file, _record_number, target_table)
)
"""

# One row per landing file taken in. A file is skipped when its content hash is
# already here (renamed or re-copied files included), which makes ingestion
# incremental; the whole file commits in one transaction with its rows, which
# makes a killed run safe to re-run.
INGESTED_FILES_DDL = """
CREATE TABLE IF NOT EXISTS meta.ingested_files (
  source VARCHAR NOT NULL,
  file_path VARCHAR NOT NULL,
  file_sha256 VARCHAR NOT NULL PRIMARY KEY,
  file_bytes BIGINT NOT NULL,
  file_mtime_ns BIGINT NOT NULL,    -- with path and size: lets a re-run skip unchanged files without hashing them
  records_read BIGINT NOT NULL,
  records_loaded BIGINT NOT NULL,
  records_quarantined BIGINT NOT NULL,
  ingested_at TIMESTAMPTZ NOT NULL,
  run_id VARCHAR NOT NULL
)
"""

# Small key/value state of the pipeline itself (e.g. what the last dbt build was built from).
BUILD_STATE_DDL = """
CREATE TABLE IF NOT EXISTS meta.build_state (
  key VARCHAR PRIMARY KEY,
  value VARCHAR NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL,
  run_id VARCHAR NOT NULL
)
"""

# Right to be forgotten (access.erasure): who was erased, under a keyed pseudonym, and what was removed where.
ERASURES_DDL = """
CREATE TABLE IF NOT EXISTS meta.erasures (
  erasure_id VARCHAR PRIMARY KEY,
  subject VARCHAR NOT NULL,          -- keyed pseudonym of the erased id (sha256(pseudonym key, id))
  erased_at TIMESTAMPTZ NOT NULL,
  landing_files_rewritten INTEGER NOT NULL,
  landing_files_deleted INTEGER NOT NULL,
  rows_deleted JSON NOT NULL         -- table -> rows
)
"""

#: Where a pull from a source's API stands, per stream (``events``, ``backfill:customers``, ...): written in the
#: transaction that commits what was pulled, so it never runs ahead of the data.
SOURCE_CURSORS_DDL = """
CREATE TABLE IF NOT EXISTS meta.source_cursors (
  source VARCHAR NOT NULL,
  stream VARCHAR NOT NULL,
  cursor JSON NOT NULL,
  api_version VARCHAR,
  updated_at TIMESTAMPTZ NOT NULL,
  run_id VARCHAR NOT NULL,
  PRIMARY KEY (source, stream)
)
"""

WAREHOUSE_DDL: tuple[str, ...] = (
    "CREATE SCHEMA IF NOT EXISTS raw",
    "CREATE SCHEMA IF NOT EXISTS quarantine",
    "CREATE SCHEMA IF NOT EXISTS meta",
    QUARANTINE_DDL,
    "ALTER TABLE quarantine.records ADD COLUMN IF NOT EXISTS subject_id VARCHAR",  # warehouses made before it existed
    INGESTED_FILES_DDL,
    BUILD_STATE_DDL,
    ERASURES_DDL,
    SOURCE_CURSORS_DDL,
    *(t.ddl() for t in RAW_TABLES.values()),
    *ML_DDL,
)


def raw_tables_for(source: SourceFamily) -> list[RawTable]:
    return [t for t in RAW_TABLES.values() if t.source == source]
