"""Referential integrity at the door of staging: rows naming an id the warehouse does not know are held.

A well-formed event for campaign ``cmp_99999``, which no ``publish.campaign_created``
ever announced, used to reach staging, fail a dbt ``relationships`` test and stop
every later run from publishing. Here such a row is moved, inside the ingestion
transaction, from ``raw`` to ``quarantine.records`` with reason ``unknown_reference``
and the row itself as JSON. Feeds deliver out of order (a late creation event is
normal), so held rows are not discarded: whenever ingestion runs, those whose
references have since arrived are moved back to ``raw`` with their original lineage,
and the ledger's per-file counts follow them. ``records read = raw + quarantine``
holds for every file throughout. Release looks at every source, so the order in which
sources are ingested in a run does not matter: a channel export held before the ATS
file creating its campaign is loaded, is released as that file commits.

What references what is declared once, in ``models.warehouse`` (``Reference``,
``REGISTRIES``), beside the raw tables' contracts.
"""
from __future__ import annotations

from collections import Counter

import duckdb

from models.enums import QuarantineReason as R
from models.warehouse import RAW_TABLES, REGISTRIES, RawTable, Reference

_MAX_ROUNDS = 20  # holding (or releasing) a row can change what is known; a few rounds reach the fixed point


def _known(registry: str) -> str:
    return f"(SELECT * FROM ({REGISTRIES[registry].sql}) known(id) WHERE id IS NOT NULL)"


def _unknown(ref: Reference) -> str:
    """SQL true when the row names an id of the reference's registry that is not known."""
    return f"(({ref.sql}) IS NOT NULL AND ({ref.sql}) NOT IN {_known(ref.registry)})"


def _sql_text(words: str) -> str:
    return "'" + words.replace("'", "''") + "'"


def _reason(table: RawTable) -> str:
    """The sentence of the first unknown reference of a row (SQL)."""
    cases = " ".join(
        f"WHEN {_unknown(ref)} THEN format("
        f"{_sql_text(ref.label + ' ' + repr('{}') + ' is not a known ' + REGISTRIES[ref.registry].what)}"
        f" || '; the record is held and loaded once it is.', ({ref.sql}))"
        for ref in table.references)
    return f"CASE {cases} END"


def _as_json(table: RawTable) -> str:
    """The row's contract columns as a JSON object; JSON columns embedded as text so they come back byte for byte."""
    fields = ", ".join(f'"{name}" := "{name}"' + ("::VARCHAR" if kind.startswith("JSON") else "")
                       for name, kind in table.columns)
    return f"to_json(struct_pack({fields}))::VARCHAR"


def _structure(table: RawTable) -> str:
    return "{" + ", ".join(f'"{name}": "{"VARCHAR" if kind.startswith("JSON") else kind.split()[0]}"'
                           for name, kind in table.columns) + "}"


def hold_unknown_references(con: duckdb.DuckDBPyConnection, run_id: str, files: list[str], tables: list[str]) -> Counter:
    """Move this run's rows of ``files`` (in ``tables``) that name unknown ids from raw to quarantine.

    Returns rows held per (table, file).
    """
    held: Counter = Counter()
    for _ in range(_MAX_ROUNDS):
        moved = 0
        for table in (RAW_TABLES[t] for t in tables if RAW_TABLES[t].references):
            condition = " OR ".join(_unknown(ref) for ref in table.references)
            con.execute(f"""CREATE OR REPLACE TEMP TABLE _held AS
                SELECT _source_file, _record_number, _content_hash, _ingested_at, _run_id,
                       {_reason(table)} AS reason, {_as_json(table)} AS record
                FROM {table.qualified}
                WHERE _run_id = $run AND _source_file IN (SELECT unnest($files::VARCHAR[])) AND ({condition})""",
                        {"run": run_id, "files": files})
            rows = con.execute("SELECT _source_file, count(*) FROM _held GROUP BY 1").fetchall()
            if not rows:
                continue
            con.execute("""INSERT INTO quarantine.records BY NAME
                SELECT $source AS source, $table AS target_table, $code AS reason_code, reason, record,
                       json_extract_string(record, '$.candidate_id') AS subject_id, _source_file, _record_number, _content_hash, _ingested_at, _run_id FROM _held""",
                        {"source": table.source.value, "table": table.name, "code": R.UNKNOWN_REFERENCE.value})
            con.execute(f"""DELETE FROM {table.qualified} r USING _held h WHERE r._source_file = h._source_file
                            AND r._record_number = h._record_number AND r._run_id = h._run_id""")
            for file, n in rows:
                held[(table.name, file)] += n
                moved += n
        if not moved:
            break
    con.execute("DROP TABLE IF EXISTS _held")
    return held


def release_known_references(con: duckdb.DuckDBPyConnection) -> Counter:
    """Move held rows whose references are all known now back to raw (first delivery of a key wins).

    A held row whose key meanwhile reached raw by another delivery becomes a ``duplicate``
    quarantine row naming where. Returns rows released per (table, file, run that held them); the ledger rows of
    those files are updated (a file changed in place has one ledger row per run that took it in).
    """
    released: Counter = Counter()
    for _ in range(_MAX_ROUNDS):
        moved = 0
        for table in (t for t in RAW_TABLES.values() if t.references):
            if not con.execute("SELECT count(*) FROM quarantine.records WHERE reason_code = $c AND target_table = $t",
                               {"c": R.UNKNOWN_REFERENCE.value, "t": table.name}).fetchall()[0][0]:
                continue
            condition = " OR ".join(_unknown(ref) for ref in table.references)
            key = ", ".join(f'"{k}"' for k in table.key)
            con.execute(f"""CREATE OR REPLACE TEMP TABLE _waiting AS
                SELECT unnest(json_transform(record, '{_structure(table)}')),
                       _source_file, _record_number, _content_hash, _ingested_at, _run_id
                FROM quarantine.records WHERE reason_code = $c AND target_table = $t""",
                        {"c": R.UNKNOWN_REFERENCE.value, "t": table.name})
            con.execute(f"""CREATE OR REPLACE TEMP TABLE _ready AS
                SELECT w.*, row_number() OVER (PARTITION BY {key} ORDER BY w._ingested_at, w._source_file, w._record_number) AS _nth,
                       r._first_file, r._first_number
                FROM (SELECT * FROM _waiting WHERE NOT ({condition})) w
                LEFT JOIN (SELECT {key}, _source_file AS _first_file, _record_number AS _first_number
                           FROM {table.qualified}) r USING ({key})""")
            ready = con.execute("SELECT count(*) FROM _ready").fetchall()[0][0]
            if not ready:
                continue
            con.execute(f"""INSERT INTO {table.qualified} BY NAME
                SELECT * EXCLUDE (_nth, _first_file, _first_number) FROM _ready WHERE _nth = 1 AND _first_file IS NULL""")
            con.execute("""UPDATE quarantine.records q SET reason_code = $dup,
                    reason = 'Duplicate delivery: held for an unknown reference, then found already delivered in '
                             || coalesce(d._first_file || ' (record ' || d._first_number || ')', 'an earlier held record') || '.'
                FROM _ready d WHERE (d._nth > 1 OR d._first_file IS NOT NULL)
                  AND q.target_table = $t AND q._source_file = d._source_file AND q._record_number = d._record_number""",
                        {"dup": R.DUPLICATE.value, "t": table.name})
            rows = con.execute("SELECT _source_file, _run_id, count(*) FROM _ready WHERE _nth = 1 AND _first_file IS NULL "
                               "GROUP BY 1, 2").fetchall()
            con.execute("""DELETE FROM quarantine.records q USING _ready d
                WHERE d._nth = 1 AND d._first_file IS NULL
                  AND q.target_table = $t AND q._source_file = d._source_file AND q._record_number = d._record_number""",
                        {"t": table.name})
            for file, held_by, n in rows:
                con.execute("""UPDATE meta.ingested_files SET records_loaded = records_loaded + $n,
                                   records_quarantined = records_quarantined - $n WHERE file_path = $f AND run_id = $r""",
                            {"n": n, "f": file, "r": held_by})
                released[(table.name, file, held_by)] += n
            moved += ready
        if not moved:
            break
    con.execute("DROP TABLE IF EXISTS _waiting")
    con.execute("DROP TABLE IF EXISTS _ready")
    return released
