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
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import orjson

from foundation.errors import BadRequest, NotFound, UserError
from foundation.lake import forget_derived, sync_raw
from foundation.landing import fault_point, fsync_dir, land
from foundation.settings import Settings
from foundation.warehouse import compact, connect_writer
from models.ml import embedding_key

#: meta.build_state key present from an erasure's commit to its end; its value says how far it got
ERASURE_PENDING = "erasure_pending"
LANDING_PENDING = "landing"  # the landing files still hold the candidates: no run may ingest them
_ID_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")


@dataclass
class LandingChange:
    path: Path
    relative: str
    new_bytes: bytes | None  # None: delete the file
    candidates: set[str]  # whose records were in it
    old_sha256: str = ""  # of the bytes it has now: the ledger row to update (a file changed in place has several)


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


def scrub_candidates_json(data: bytes, ids: set[str], replacements: dict[bytes, bytes]) -> tuple[bytes, bool]:
    """A SmartRecruiters candidate list without the candidates' entries (and whether none is left); other entries
    naming them get the pseudonym."""
    doc = orjson.loads(data)
    kept = [c for c in doc.get("content", []) if c.get("id") not in ids]
    removed = len(doc.get("content", [])) - len(kept)
    if removed:
        doc["content"] = kept
        doc["totalFound"] = max(0, int(doc.get("totalFound", len(kept))) - removed)
    new = orjson.dumps(doc, option=orjson.OPT_INDENT_2) if removed else data
    for needle, stand_in in replacements.items():
        new = new.replace(needle, stand_in)
    return new, bool(removed) and not kept


def redacted_id(subject: str) -> str:
    """What stands for an erased person where a record of someone else names them (a referral's referrer, say)."""
    return f"erased_{subject[:16]}"


def own_subject(record: dict) -> str | None:
    """Whose record this is: an ATS event's candidate, a SmartRecruiters entry's id."""
    for field_name in ("candidate_id", "id"):
        value = record.get(field_name)
        if isinstance(value, str):
            return value
    return None


def scrub_jsonl(data: bytes, replacements: dict[bytes, bytes]) -> bytes:
    """The file without the candidates' own records; other records naming them get their pseudonym instead.

    Erasing a referrer must not delete the referral events of the people they referred: those records
    belong to someone else and stay, with the referrer's id replaced. A line that cannot be read is
    dropped when it names a candidate (whose it is cannot be told). The rule is ``own_subject``, as in the
    warehouse (``_OWN_SUBJECT``).
    """
    kept = []
    for line in data.split(b"\n"):
        named = [n for n in replacements if n in line]
        if not named:
            kept.append(line)
            continue
        try:
            record = orjson.loads(line)
        except orjson.JSONDecodeError:
            record = None
        subject = own_subject(record) if isinstance(record, dict) else None
        if subject is None or orjson.dumps(subject) in named:
            continue
        for needle in named:
            line = line.replace(needle, replacements[needle])
        kept.append(line)
    return b"\n".join(kept)


def has_records(data: bytes) -> bool:
    return any(line.strip() for line in data.split(b"\n"))


def plan_landing(landing: Path, ids: list[str], pseudonym_key: str, known_hashes: dict[str, str] | None = None
                 ) -> list[LandingChange]:
    """What to change in the landing zone (nothing is written here).

    A file left with no record is deleted rather than kept empty. A file whose new bytes would equal another
    file's (two API batches that repeat someone else's event) gets a trailing newline until they differ: the
    ledger knows a content once, and deleting it would lose the rows that came from it.
    ``known_hashes`` maps the ledger's sha256 to its file path.
    """
    needles = {i: quoted(i) for i in ids}
    replacements = {quoted(i): quoted(redacted_id(subject_pseudonym(i, pseudonym_key))) for i in ids}
    changes = []
    for path in sorted(landing.rglob("*")):
        if not path.is_file() or path.name.startswith("."):
            continue
        relative = path.relative_to(landing).as_posix()
        if path.parent.name == "cvs" and path.stem in needles:
            changes.append(LandingChange(path, relative, None, {path.stem}, hashlib.sha256(path.read_bytes()).hexdigest()))
            continue
        data = path.read_bytes()
        present = {i for i, n in needles.items() if n in data}
        if not present:
            continue
        named = {needles[i]: replacements[needles[i]] for i in present}
        if path.name == "candidates.json":
            new, empty = scrub_candidates_json(data, present, named)
        else:
            new = scrub_jsonl(data, named)
            empty = not has_records(new)
        if new != data:
            changes.append(LandingChange(path, relative, None if empty else new, present,
                                         hashlib.sha256(data).hexdigest()))
    taken = dict(known_hashes or {})
    for change in changes:
        while change.new_bytes is not None and taken.get(hashlib.sha256(change.new_bytes).hexdigest(),
                                                          change.relative) != change.relative:
            change.new_bytes += b"\n"  # same records, other bytes
        if change.new_bytes is not None:
            taken[hashlib.sha256(change.new_bytes).hexdigest()] = change.relative
    return changes


def crash_leftovers(landing: Path, serving: Path, ids: list[str]) -> list[Path]:
    """Hidden files a crash left behind that may hold the candidates: partial landings, partial snapshots, staged
    erasures. Partial snapshots and staged erasures go whatever they hold (nothing is writing them: the caller has
    the writer lock)."""
    needles = [quoted(i) for i in ids]
    found = [p for p in landing.rglob(".*.part") if p.is_file() and any(n in p.read_bytes() for n in needles)]
    found += [p for p in landing.rglob(".*.erasing") if p.is_file()]
    found += list(serving.glob("snapshot-*.partial")) if serving.exists() else []
    return found


def _text_columns(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], list[str]]:
    rows = con.sql("""SELECT c.table_schema, c.table_name, c.column_name FROM information_schema.columns c
                      JOIN duckdb_tables() t ON t.schema_name = c.table_schema AND t.table_name = c.table_name
                      WHERE t.database_name = current_database() AND c.table_schema <> 'meta'
                        AND c.data_type IN ('VARCHAR', 'JSON')""").fetchall()
    out: dict[tuple[str, str], list[str]] = {}
    for schema, table, column in rows:
        out.setdefault((schema, table), []).append(column)
    return out


#: SQL for whose row it is, in tables where that can be told: the row goes when it is the candidate's (or nobody's
#: that can be told), and is redacted (their id replaced by a pseudonym) when it is someone else's that names them
_OWN_SUBJECT = {
    "raw": "candidate_id",
    "quarantine": "coalesce(subject_id, CASE WHEN json_valid(record) THEN coalesce(json_extract_string(record, '$.candidate_id'), "
                  "json_extract_string(record, '$.id')) END)",
}


def scrub_warehouse(con: duckdb.DuckDBPyConnection, ids: list[str], changes: list[LandingChange],
                    pseudonym_key: str) -> dict[str, dict[str, int]]:
    """Remove every row of each candidate and fix the ledger of the changed files; inside the caller's transaction.

    raw and quarantine rows of someone else that name the candidate are kept with the id replaced, as in the
    landing files; derived tables (staging, marts, ml) lose every row naming them and are rebuilt from raw.
    Returns candidate -> table -> rows deleted.
    """
    has_embeddings = bool(con.sql("SELECT 1 FROM duckdb_tables() WHERE schema_name = 'ml' AND table_name = 'embeddings'").fetchall())
    tables = _text_columns(con)
    per_file: dict[tuple[str, str], dict[str, int]] = {}  # (file, run that took it in) -> rows removed
    deleted: dict[str, dict[str, int]] = {}
    for candidate_id in ids:
        stand_in = redacted_id(subject_pseudonym(candidate_id, pseudonym_key))
        params = {"id": candidate_id, "quoted": quoted(candidate_id).decode()}
        rows = deleted.setdefault(candidate_id, {})
        cv_texts = [t for (t,) in con.sql("SELECT cv_text FROM raw.scraped_cvs WHERE candidate_id = $id",
                                          params={"id": candidate_id}).fetchall() if t]
        if cv_texts and has_embeddings:  # the cache is keyed by the CV text's hash, not by the candidate
            models = [m for (m,) in con.sql("SELECT DISTINCT model FROM ml.embeddings").fetchall()]
            hashes = [embedding_key(t, model) for t in cv_texts for model in models]
            # DuckDB's DELETE answers with the number of rows it deleted
            (n,), = con.execute("DELETE FROM ml.embeddings WHERE content_hash IN (SELECT unnest($h))", {"h": hashes}).fetchall()
            if n:
                rows["ml.embeddings"] = n
        for (schema, table), columns in tables.items():
            mentions = " OR ".join(f'"{c}"::VARCHAR = $id OR contains("{c}"::VARCHAR, $quoted)' for c in columns)
            name = f'"{schema}"."{table}"'
            owner = _OWN_SUBJECT.get(schema) if schema != "raw" or "candidate_id" in columns else None
            remove = f"({mentions}) AND ({owner} IS NULL OR {owner} = $id)" if owner else mentions
            where = params
            if "_source_file" in columns and schema in ("raw", "quarantine"):
                kind = "quarantined" if schema == "quarantine" else "loaded"
                for file, run, n in con.sql(f"SELECT _source_file, _run_id, count(*) FROM {name} WHERE {remove} GROUP BY 1, 2",
                                            params=where).fetchall():
                    per_file.setdefault((file, run), {"loaded": 0, "quarantined": 0})[kind] += n
            (n,), = con.execute(f"DELETE FROM {name} WHERE {remove}", where).fetchall()
            if n:
                rows[f"{schema}.{table}"] = n
            if owner:
                sets = ", ".join(f'"{c}" = CASE WHEN "{c}"::VARCHAR = $id THEN $stand_in '
                                 f'ELSE replace("{c}"::VARCHAR, $quoted, $quoted_stand_in) END' for c in columns)
                (n,), = con.execute(f"UPDATE {name} SET {sets} WHERE {mentions}",
                                    {**params, "stand_in": stand_in, "quoted_stand_in": quoted(stand_in).decode()}).fetchall()
                if n:
                    rows[f"{schema}.{table} (redacted)"] = n
    for change in changes:
        # the ledger row of the bytes the file has now (none if they were never taken in, or after a crash, already changed)
        run = next(iter(con.sql("SELECT run_id FROM meta.ingested_files WHERE file_sha256 = $s",
                                params={"s": change.old_sha256}).fetchall()), (None,))[0]
        counts = per_file.get((change.relative, run), {"loaded": 0, "quarantined": 0})
        if change.new_bytes is None:
            con.execute("DELETE FROM meta.ingested_files WHERE file_sha256 = $s", {"s": change.old_sha256})
            continue
        con.execute("""UPDATE meta.ingested_files SET file_sha256 = $sha, file_bytes = $bytes,
                           records_read = records_read - $removed, records_loaded = records_loaded - $loaded,
                           records_quarantined = records_quarantined - $quarantined
                       WHERE file_sha256 = $old""",
                    {"sha": hashlib.sha256(change.new_bytes).hexdigest(), "bytes": len(change.new_bytes),
                     "removed": counts["loaded"] + counts["quarantined"], "loaded": counts["loaded"],
                     "quarantined": counts["quarantined"], "old": change.old_sha256})
    con.execute("DELETE FROM meta.build_state")  # the next run rebuilds every mart from what is left
    return deleted


def erase_everywhere(settings: Settings, candidate_ids: list[str]) -> list[ErasureReport]:
    """Remove the candidates from landing and warehouse and record each erasure; the caller holds the writer lock.

    Leaves the stage 'rebuild': the next pipeline run rebuilds the marts without them, and its snapshot step
    then calls ``finish_after_rebuild``. A run killed anywhere in between is finished by the next one.
    """
    ids = list(dict.fromkeys(validate_id(i) for i in candidate_ids))
    key = settings.require_pseudonym_key()
    reports = [ErasureReport(i, subject_pseudonym(i, key)) for i in ids]
    subjects = sorted(r.subject for r in reports)
    con = connect_writer(settings)
    try:
        ledger = dict(con.sql("SELECT file_sha256, file_path FROM meta.ingested_files").fetchall())
        erased_before = {s for (s,) in con.sql("SELECT subject FROM meta.erasures").fetchall()}
        pending = next(iter(con.sql("SELECT value FROM meta.build_state WHERE key = $k",
                                    params={"k": ERASURE_PENDING}).fetchall()), None)
    finally:
        con.close()
    # an erasure a crash cut short: nothing may be left to find, but the command must still finish it, and
    # another erasure must not run first (it would clean up the first one's staged files and re-ingest its subjects)
    interrupted = pending is not None
    stage, _, pending_subjects = pending[0].partition(":") if pending else ("", "", "")
    if stage == LANDING_PENDING and not set(pending_subjects.split(",")) <= set(subjects):
        raise UserError("An erasure of other candidates was interrupted and has not rewritten the landing files yet.",
                        "Run that erase command again first (the same ids), then this one.")
    for leftover in crash_leftovers(settings.landing_dir, settings.serving_dir, ids):
        leftover.unlink(missing_ok=True)  # what a crash left: partial writes, a killed erasure's staged files
    changes = plan_landing(settings.landing_dir, ids, key, ledger)
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
        deleted = scrub_warehouse(con, ids, changes, key)
        for report in reports:
            mine = [c for c in changes if report.candidate_id in c.candidates]
            report.rows_deleted = deleted[report.candidate_id]
            report.landing_rewritten = [c.relative for c in mine if c.new_bytes is not None]
            report.landing_deleted = [c.relative for c in mine if c.new_bytes is None]
        # an erasure killed after its commit is finished by running it again: nothing is left to find, but it is on record
        missing = [r.candidate_id for r in reports if not r.found and not (interrupted and r.subject in erased_before)]
        if missing:
            con.execute("ROLLBACK")
            for _, tmp in staged:
                tmp.unlink(missing_ok=True)
            raise NotFound(f"No data of candidate {', '.join(repr(m) for m in missing)} was found; nothing was erased.",
                           "Check the ids (the landing zone, warehouse and scores were searched).")
        now = datetime.now(timezone.utc)
        # finishing an erasure a crash cut short (its rows were deleted and recorded then) adds no second record
        recorded = [r for r in reports if r.rows_deleted or r.subject not in erased_before]
        for n, report in enumerate(r for r in recorded if r.found):
            con.execute("INSERT INTO meta.erasures VALUES ($e, $s, $at, $rw, $del, $rows)",
                        {"e": f"era_{now:%Y%m%dT%H%M%S%f}_{n}", "s": report.subject, "at": now,
                         "rw": len(report.landing_rewritten), "del": len(report.landing_deleted),
                         "rows": orjson.dumps(report.rows_deleted).decode()})
        # until the landing files are swapped too, no run may ingest them again (they still hold the candidates)
        set_stage(con, LANDING_PENDING, subjects)
        con.execute("COMMIT")
    finally:
        con.close()
    fault_point("erase:after_commit")
    for change, tmp in staged:
        os.replace(tmp, change.path)
        fsync_dir(change.path.parent)
    for change in changes:
        if change.new_bytes is None:
            change.path.unlink(missing_ok=True)
    with closing(connect_writer(settings)) as con:
        # the lake forgets what raw forgot (runs whose rows changed are rewritten), and what Spark derived goes
        sync_raw(con, settings.lake_dir)
        forget_derived(settings.lake_dir)
        set_stage(con, "rebuild", subjects)  # the landing zone is clean: runs may ingest again
    compact(settings)
    return reports


def finish_after_rebuild(settings: Settings, con: duckdb.DuckDBPyConnection, current_snapshot: str) -> list[str]:
    """After a snapshot without the erased candidates is published: delete every older snapshot (they still hold
    them) and close the erasure. Returns the subjects finished (none when no erasure was waiting)."""
    pending = next(iter(con.sql("SELECT value FROM meta.build_state WHERE key = $k",
                                params={"k": ERASURE_PENDING}).fetchall()), None)
    if pending is None or not pending[0].startswith("rebuild:"):
        return []
    for old in settings.serving_dir.glob("snapshot-*.duckdb"):
        if old.name != current_snapshot:
            old.unlink(missing_ok=True)
    set_stage(con, None, [])  # done: a later erasure of the same id finds nothing and says so
    return pending[0].partition(":")[2].split(",")


def set_stage(con: duckdb.DuckDBPyConnection, stage: str | None, subjects: list[str]) -> None:
    """Record how far the erasure of these subjects got ('landing', 'rebuild'), or that it ended (None)."""
    con.execute("DELETE FROM meta.build_state WHERE key = $k", {"k": ERASURE_PENDING})
    if stage:
        con.execute("INSERT INTO meta.build_state VALUES ($k, $v, now(), 'erase')",
                    {"k": ERASURE_PENDING, "v": f"{stage}:{','.join(subjects)}"})
