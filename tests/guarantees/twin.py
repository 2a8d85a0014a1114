"""A twin of a published snapshot in which every row outside one scope is doubled, with its numbers changed.

A read that keeps to its scope gives the same answer on the snapshot and on its twin; a read that
lets through one row of another business unit or client (a count, a sum, a list) answers
differently. The twin needs no list of queries or tables: it classifies every table of the
snapshot by the columns it has, so a table added tomorrow is covered today.

How a row's owner is found, first rule that applies:
- its own ``business_unit`` / ``client_id`` column;
- else a key whose owner table says whose it is (a campaign, a Stripe customer, an application,
  a vacancy, a segment);
- else, for a client, a table with any BU-level column is none of theirs (engagement marts are
  about candidates, not a client's data); rows nobody owns (candidates, analyzers, reference
  tables, run metadata) are left alone, as shared.
Dates are never changed, so "the data's latest day" stays what it is in both.
"""
from __future__ import annotations

import shutil
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from foundation.landing import land

#: key column -> (owner table, its business_unit expression, its client_id expression)
OWNERS = {
    "campaign_id": ("marts.mart_campaign_summary", "business_unit", "client_id"),
    "customer_id": ("staging.stg_stripe__customers", "business_unit", "client_id"),
    "application_id": ("marts.fct_applications a LEFT JOIN marts.mart_campaign_summary USING (campaign_id)",
                       "a.business_unit", "client_id"),
    # a vacancy is its own client's (the company it is filled for), which for a Solutions campaign is the campaign's
    "vacancy_id": ("staging.stg_ats__vacancies v", "v.business_unit", "v.client_id"),
    "segment_id": ("ml.segments", "business_unit", "NULL"),
}
SCOPED_SCHEMAS = ("staging", "intermediate", "marts", "ml")
NUMERIC = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "FLOAT", "DOUBLE", "DECIMAL", "UTINYINT", "USMALLINT",
           "UINTEGER", "UBIGINT")


@dataclass(frozen=True)
class ScopeUnderTest:
    business_unit: str | None = None
    client_id: str | None = None


def _foreign_rows(columns: set[str], scope: ScopeUnderTest) -> str | None:
    """SQL predicate of the rows of a table that belong to someone outside ``scope`` (None: the table is shared)."""
    if scope.business_unit is not None:
        if "business_unit" in columns:
            return "business_unit IS NOT NULL AND business_unit <> $bu"
        for key, (owner, bu, _) in OWNERS.items():
            if key in columns:
                return f"{key} IN (SELECT {key} FROM {owner} WHERE {bu} <> $bu)"
        return None
    if "client_id" in columns:
        return "client_id IS DISTINCT FROM $client"
    for key, (owner, _, client) in OWNERS.items():
        if key in columns and client != "NULL":
            return f"{key} IS NULL OR {key} NOT IN (SELECT {key} FROM {owner} WHERE {client} = $client)"
    if "business_unit" in columns or any(key in columns for key in OWNERS):
        return "true"
    return None


def make_twin(snapshot: Path, target: Path, scope: ScopeUnderTest) -> dict[str, int]:
    """Copy ``snapshot`` to ``target`` and double every foreign row with numbers + 1; returns rows added per table."""
    shutil.copy2(snapshot, target)
    params = {"bu": scope.business_unit} if scope.business_unit else {"client": scope.client_id}
    added: dict[str, int] = {}
    con = duckdb.connect(str(target))
    try:
        tables = con.sql("SELECT schema_name, table_name FROM duckdb_tables() WHERE schema_name IN "
                         f"{SCOPED_SCHEMAS} ORDER BY 1, 2").fetchall()
        # classify first, against the untouched owner tables
        plans = []
        for schema, table in tables:
            described = con.sql(f'DESCRIBE "{schema}"."{table}"').fetchall()
            predicate = _foreign_rows({c[0] for c in described}, scope)
            if predicate is None:
                continue
            select = ", ".join(f'"{name}" + 1' if kind.split("(")[0] in NUMERIC else f'"{name}"' for name, kind, *_ in described)
            (foreign,), = con.execute(f'SELECT count(*) FROM "{schema}"."{table}" WHERE {predicate}',
                                      {k: v for k, v in params.items() if f"${k}" in predicate}).fetchall()
            plans.append((schema, table, predicate, select, foreign))
        for schema, table, predicate, select, foreign in plans:
            if foreign:
                con.execute(f'INSERT INTO "{schema}"."{table}" SELECT {select} FROM "{schema}"."{table}" WHERE {predicate}',
                            {k: v for k, v in params.items() if f"${k}" in predicate})
                added[f"{schema}.{table}"] = foreign
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return added


@contextmanager
def serving(warehouse: Path, snapshot: Path):
    """Point serving/CURRENT at ``snapshot`` for the duration (every reader opens what CURRENT names)."""
    pointer = warehouse / "serving" / "CURRENT"
    before = pointer.read_bytes()
    land(pointer, (snapshot.name + "\n").encode())
    try:
        yield
    finally:
        land(pointer, before)


def current_file(warehouse: Path) -> Path:
    return warehouse / "serving" / (warehouse / "serving" / "CURRENT").read_text().strip()
