"""Right to be forgotten: remove one candidate from every layer, and record that it was done.

Where a candidate lives, and how each place is cleaned:

* landing: JSON Lines records naming them (any field, as an exact JSON string) are
  dropped, their SmartRecruiters entry leaves ``candidates.json``, their CV files are
  deleted. Rewritten files keep their modification time and the ingestion ledger
  gets their new hash and counts, so the next run does not take them in again;
* warehouse: every row of every table with a text column equal to the id or holding
  it as a JSON string (raw, quarantine, staging/marts tables, incremental models, ml
  scores, profiles, segment members, analyzer results), and the cached embedding of
  their CV (keyed by its text's hash);
* the warehouse file is rewritten from its live rows (deleted rows can linger in freed blocks);
* then a pipeline run rebuilds the marts (aggregates no longer count them) and
  publishes a snapshot, and every older snapshot is deleted.

The erasure is recorded in ``meta.erasures`` (``models.warehouse``) under a keyed pseudonym of the id (the id
itself is not kept), with what was removed where.

Crash safety: new landing contents are written under hidden names first; the
warehouse changes and the ledger update commit in one transaction; then the files
are swapped in. A crash at any point leaves something the same command finishes.
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import orjson

from huntred.errors import BadRequest, NotFound, UserError
from huntred.landing import fsync_dir, land
from huntred.settings import Settings

_ID_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")


@dataclass
class LandingChange:
    path: Path
    relative: str
    new_bytes: bytes | None  # None: delete the file
    records_removed: int
    candidates: set[str]  # whose records were in it


@dataclass
class ErasureReport:
    candidate_id: str
    subject: str
    landing_rewritten: list[str] = field(default_factory=list)
    landing_deleted: list[str] = field(default_factory=list)
    rows_deleted: dict[str, int] = field(default_factory=dict)

    @property
    def found(self) -> bool:
        return bool(self.landing_rewritten or self.landing_deleted or self.rows_deleted)


def validate_id(candidate_id: str) -> str:
    candidate_id = candidate_id.strip()
    if not candidate_id or len(candidate_id) > 64 or not set(candidate_id) <= _ID_CHARS:
        raise BadRequest(f"'{candidate_id[:70]}' is not a candidate id.",
                         "Give the id as the data has it, e.g. cand_0000005 or a SmartRecruiters UUID.")
    return candidate_id


def subject_pseudonym(candidate_id: str, key: str) -> str:
    return hashlib.sha256(f"{key}\0{candidate_id}".encode()).hexdigest()


def quoted(candidate_id: str) -> bytes:
    """The id as a JSON string: what a record naming it contains (cand_1 does not match inside cand_12)."""
    return orjson.dumps(candidate_id)


def scrub_jsonl(data: bytes, needles: list[bytes]) -> tuple[bytes, int]:
    """The lines that name none of the candidates, and how many were dropped."""
    lines = data.split(b"\n")
    kept = [line for line in lines if not any(n in line for n in needles)]
    return b"\n".join(kept), len(lines) - len(kept)


def scrub_candidates_json(data: bytes, ids: set[str]) -> tuple[bytes, int]:
    """A SmartRecruiters candidate list without the candidates' entries."""
    doc = orjson.loads(data)
    kept = [c for c in doc.get("content", []) if c.get("id") not in ids]
    removed = len(doc.get("content", [])) - len(kept)
    if removed:
        doc["content"] = kept
        doc["totalFound"] = max(0, int(doc.get("totalFound", len(kept))) - removed)
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2), removed


def plan_landing(landing: Path, ids: list[str]) -> list[LandingChange]:
    """What to change in the landing zone (nothing is written here)."""
    needles = {i: quoted(i) for i in ids}
    changes = []
    for path in sorted(landing.rglob("*")):
        if not path.is_file() or path.name.startswith("."):
            continue
        relative = path.relative_to(landing).as_posix()
        if path.parent.name == "cvs" and path.stem in needles:
            changes.append(LandingChange(path, relative, None, 1, {path.stem}))
            continue
        data = path.read_bytes()
        present = {i for i, n in needles.items() if n in data}
        if not present:
            continue
        if path.name == "candidates.json":
            new, removed = scrub_candidates_json(data, present)
        else:
            new, removed = scrub_jsonl(data, [needles[i] for i in present])
        if removed:
            changes.append(LandingChange(path, relative, new, removed, present))
    return changes


def _text_columns(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], list[str]]:
    rows = con.sql("""SELECT c.table_schema, c.table_name, c.column_name FROM information_schema.columns c
                      JOIN duckdb_tables() t ON t.schema_name = c.table_schema AND t.table_name = c.table_name
                      WHERE t.database_name = current_database() AND c.table_schema <> 'meta'
                        AND c.data_type IN ('VARCHAR', 'JSON')""").fetchall()
    out: dict[tuple[str, str], list[str]] = {}
    for schema, table, column in rows:
        out.setdefault((schema, table), []).append(column)
    return out


def scrub_warehouse(con: duckdb.DuckDBPyConnection, ids: list[str], changes: list[LandingChange]) -> dict[str, dict[str, int]]:
    """Delete every row naming each candidate and fix the ledger of the changed files; inside the caller's transaction.

    Returns candidate -> table -> rows deleted.
    """
    from ml.aura.embeddings import content_hash

    has_embeddings = bool(con.sql("SELECT 1 FROM duckdb_tables() WHERE schema_name = 'ml' AND table_name = 'embeddings'").fetchall())
    tables = _text_columns(con)
    per_file: dict[str, dict[str, int]] = {}
    deleted: dict[str, dict[str, int]] = {}
    for candidate_id in ids:
        params = {"id": candidate_id, "quoted": quoted(candidate_id).decode()}
        rows = deleted.setdefault(candidate_id, {})
        cv_texts = [t for (t,) in con.sql("SELECT cv_text FROM raw.scraped_cvs WHERE candidate_id = $id",
                                          params={"id": candidate_id}).fetchall() if t]
        if cv_texts and has_embeddings:  # the cache is keyed by the CV text's hash, not by the candidate
            hashes = [content_hash(t) for t in cv_texts]
            # DuckDB's DELETE answers with the number of rows it deleted
            (n,), = con.execute("DELETE FROM ml.embeddings WHERE content_hash IN (SELECT unnest($h))", {"h": hashes}).fetchall()
            if n:
                rows["ml.embeddings"] = n
        for (schema, table), columns in tables.items():
            match = " OR ".join(f'"{c}"::VARCHAR = $id OR contains("{c}"::VARCHAR, $quoted)' for c in columns)
            name = f'"{schema}"."{table}"'
            if "_source_file" in columns and schema in ("raw", "quarantine"):
                kind = "quarantined" if schema == "quarantine" else "loaded"
                for file, n in con.sql(f"SELECT _source_file, count(*) FROM {name} WHERE {match} GROUP BY 1",
                                       params=params).fetchall():
                    per_file.setdefault(file, {"loaded": 0, "quarantined": 0})[kind] += n
            (n,), = con.execute(f"DELETE FROM {name} WHERE {match}", params).fetchall()
            if n:
                rows[f"{schema}.{table}"] = n
    for change in changes:
        counts = per_file.get(change.relative, {"loaded": 0, "quarantined": 0})
        if change.new_bytes is None:
            con.execute("DELETE FROM meta.ingested_files WHERE file_path = $p", {"p": change.relative})
            continue
        con.execute("""UPDATE meta.ingested_files SET file_sha256 = $sha, file_bytes = $bytes,
                           records_read = records_read - $removed, records_loaded = records_loaded - $loaded,
                           records_quarantined = records_quarantined - $quarantined
                       WHERE file_path = $p""",
                    {"sha": hashlib.sha256(change.new_bytes).hexdigest(), "bytes": len(change.new_bytes),
                     "removed": counts["loaded"] + counts["quarantined"], "loaded": counts["loaded"],
                     "quarantined": counts["quarantined"], "p": change.relative})
    con.execute("DELETE FROM meta.build_state")  # the next run rebuilds every mart from what is left
    return deleted


def erase_candidates(settings: Settings, candidate_ids: list[str], on_event=None) -> list[ErasureReport]:
    """Remove the candidates everywhere, rebuild and republish once, delete older snapshots, record each erasure."""
    from huntred.pipeline import run_pipeline
    from huntred.warehouse import compact, connect_writer, writer_lock

    ids = list(dict.fromkeys(validate_id(i) for i in candidate_ids))
    key = settings.require_pseudonym_key()
    reports = [ErasureReport(i, subject_pseudonym(i, key)) for i in ids]
    with writer_lock(settings):
        changes = plan_landing(settings.landing_dir, ids)
        staged: list[tuple[LandingChange, Path]] = []
        for change in changes:  # new contents next to the old, hidden, same modification time
            if change.new_bytes is not None:
                tmp = change.path.with_name(f".{change.path.name}.erasing")
                land(tmp, change.new_bytes)
                st = change.path.stat()
                os.utime(tmp, ns=(st.st_atime_ns, st.st_mtime_ns))
                staged.append((change, tmp))
        con = connect_writer(settings)
        try:
            con.execute("BEGIN TRANSACTION")
            deleted = scrub_warehouse(con, ids, changes)
            for report in reports:
                mine = [c for c in changes if report.candidate_id in c.candidates]
                report.rows_deleted = deleted[report.candidate_id]
                report.landing_rewritten = [c.relative for c in mine if c.new_bytes is not None]
                report.landing_deleted = [c.relative for c in mine if c.new_bytes is None]
            missing = [r.candidate_id for r in reports if not r.found]
            if missing:
                con.execute("ROLLBACK")
                for _, tmp in staged:
                    tmp.unlink(missing_ok=True)
                raise NotFound(f"No data of candidate {', '.join(repr(m) for m in missing)} was found; nothing was erased.",
                               "Check the ids (the landing zone, warehouse and scores were searched).")
            now = datetime.now(timezone.utc)
            for n, report in enumerate(reports):
                con.execute("INSERT INTO meta.erasures VALUES ($e, $s, $at, $rw, $del, $rows)",
                            {"e": f"era_{now:%Y%m%dT%H%M%S%f}_{n}", "s": report.subject, "at": now,
                             "rw": len(report.landing_rewritten), "del": len(report.landing_deleted),
                             "rows": orjson.dumps(report.rows_deleted).decode()})
            con.execute("COMMIT")
        finally:
            con.close()
        for change, tmp in staged:
            os.replace(tmp, change.path)
            fsync_dir(change.path.parent)
        for change in changes:
            if change.new_bytes is None:
                change.path.unlink(missing_ok=True)
        compact(settings)
    outcome = run_pipeline(on_event=on_event)
    if not outcome.success:
        raise UserError(f"The candidates' data is removed, but the rebuild failed: {outcome.errors[:1]}",
                        f"Run `huntred run` to rebuild and publish (log: {outcome.log_file}).")
    current = (settings.serving_dir / "CURRENT").read_text(encoding="utf-8").strip()
    for old in settings.serving_dir.glob("snapshot-*.duckdb"):
        if old.name != current:
            old.unlink(missing_ok=True)  # they still hold the candidates
    return reports
