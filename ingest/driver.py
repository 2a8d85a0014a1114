"""Find landing files not seen before, parse them, drop duplicates, and commit.

Guarantees (each tested in ``tests/ingest``):
* incremental: a file whose bytes were already ingested (under any name) is skipped;
* idempotent: a natural key delivered twice lands once, the second delivery is
  quarantined as ``duplicate`` naming where the first came from;
* crash-safe: a chunk of files commits together with its ledger rows, so a killed
  run leaves either all of a file or none of it, and the re-run picks up the rest;
* lossless: every record read ends in ``raw`` or ``quarantine`` (checked per run).
"""
from __future__ import annotations

import os
from collections import defaultdict
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

import duckdb
import orjson
import polars as pl

from foundation.errors import UserError
from foundation.landing import fault_point
from ingest.ats import parse_ats_file
from ingest.channels import parse_channel_files
from ingest.references import hold_unknown_references, release_known_references
from ingest.scraped import CV_FORMATS, parse_candidates_file, parse_cv_file
from ingest.stripe import parse_stripe_json, parse_webhook_file
from ingest.types import ParsedFile, Rejected, sha256
from models.channels import CHANNEL_EXPORTS
from models.enums import Channel, SourceFamily
from models.enums import QuarantineReason as R
from models.warehouse import RAW_TABLES

#: files committed together; a chunk is parsed while the one before commits, so two are in memory at once
CHUNK_BYTES = int(os.environ.get("HUNTRED_INGEST_CHUNK_BYTES", 64 * 1024 * 1024))


def _fault_point(where: str, chunk_number: int) -> None:
    """Fault injection for the crash tests: HUNTRED_FAULT=<where>:<chunk> kills this process with SIGKILL there.

    ``before_commit`` dies with a chunk's rows written but not committed; ``after_commit``
    dies right after a chunk committed. Nothing happens when the variable is unset.
    """
    fault_point(f"{where}:{chunk_number}")


@dataclass(frozen=True)
class LandingFile:
    family: SourceFamily
    path: Path
    relative: str  # posix path under the landing root: what lineage columns store
    size: int
    mtime_ns: int


@dataclass
class IngestSummary:
    family: SourceFamily
    files_found: int = 0
    files_ingested: int = 0
    files_skipped: int = 0
    chunks: int = 0
    records_read: int = 0
    loaded: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    quarantined: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # reason code -> rows
    released: int = 0  # rows held for an unknown reference in earlier runs, loaded now that it arrived
    ingested_paths: list[str] = field(default_factory=list)
    #: files skipped because their bytes are those of a file already ingested: (this file, the one ingested)
    duplicate_files: list[tuple[str, str]] = field(default_factory=list)

    @property
    def records_loaded(self) -> int:
        return sum(self.loaded.values())

    @property
    def records_quarantined(self) -> int:
        return sum(self.quarantined.values())


def discover(landing_root: Path, family: SourceFamily) -> list[LandingFile]:
    """Every file of a source family, in delivery order (paths sort by date by construction)."""
    root = landing_root / family.value
    if not root.exists():
        return []
    found = []
    for path in sorted(root.rglob("*")):
        if not path.is_file() or any(part.startswith(".") for part in path.relative_to(root).parts):
            continue  # hidden files are partial writes or OS litter
        stat = path.stat()
        found.append(LandingFile(family, path, path.relative_to(landing_root).as_posix(), stat.st_size, stat.st_mtime_ns))
    if family == SourceFamily.SCRAPED_CANDIDATES:
        # candidate lists before CVs, so a CV's candidate is always already known
        found.sort(key=lambda f: (f.path.name != "candidates.json", f.relative))
    return found


def _unrecognised(f: LandingFile, expected: str) -> ParsedFile:
    parsed = ParsedFile(records_read=1)
    parsed.reject(f"{f.family.value}_files", R.UNKNOWN_VALUE,
                  f"{f.relative} is not a file this source takes (expected {expected}); it was kept in the landing zone.",
                  f.relative, 1)
    return parsed


def parse_files(family: SourceFamily, files: list[tuple[LandingFile, bytes]], *, webhook_secret: str | None,
                now: datetime) -> list[ParsedFile]:
    """Route each file to its parser; files of one channel are validated together."""
    results: list[ParsedFile | None] = [None] * len(files)
    by_channel: dict[Channel, list[int]] = defaultdict(list)
    for i, (f, data) in enumerate(files):
        parts = f.relative.split("/")
        name = parts[-1].lower()
        if family == SourceFamily.ATS_EVENTS:
            results[i] = parse_ats_file(data) if name.endswith(".jsonl") else _unrecognised(f, "*.jsonl")
        elif family == SourceFamily.CHANNEL_METRICS:
            channel = parts[1] if len(parts) > 2 else ""
            if channel in Channel.__members__.values() and name.endswith(".csv"):
                by_channel[Channel(channel)].append(i)
            else:
                results[i] = _unrecognised(f, "channel_metrics/<channel>/*.csv with channel one of " + ", ".join(c.value for c in Channel))
        elif family == SourceFamily.STRIPE:
            if parts[1:2] == ["webhooks"] and name.endswith(".jsonl"):
                if webhook_secret is None:
                    raise UserError("Stripe webhook files cannot be verified without the webhook secret.",
                                    "Set HUNTRED_STRIPE_WEBHOOK_SECRET (or run `huntred init`).")
                results[i] = parse_webhook_file(data, webhook_secret)
            elif parts[1:2] != ["webhooks"] and name.endswith((".json", ".jsonl", ".ndjson")):
                results[i] = parse_stripe_json(data, f.relative, now)
            else:
                results[i] = _unrecognised(f, "stripe/webhooks/*.jsonl (signed deliveries) or stripe/**/*.json|jsonl "
                                              "(objects, lists, events)")
        elif family == SourceFamily.SCRAPED_CANDIDATES:
            if name == "candidates.json":
                results[i] = parse_candidates_file(data)
            elif len(parts) >= 2 and parts[-2] == "cvs":
                results[i] = parse_cv_file(data, f.relative)
            else:
                results[i] = _unrecognised(f, "<batch>/candidates.json or <batch>/cvs/<candidate id>." + "|".join(s[1:] for s in CV_FORMATS))
    for channel, idx in by_channel.items():
        for i, parsed in zip(idx, parse_channel_files([files[i][1] for i in idx], CHANNEL_EXPORTS[channel])):
            results[i] = parsed
    return results  # type: ignore[return-value]


def _chunks(pending: list[LandingFile]) -> Iterator[list[tuple[LandingFile, bytes]]]:
    chunk, size = [], 0
    for f in pending:
        chunk.append((f, f.path.read_bytes()))
        size += f.size
        if size >= CHUNK_BYTES:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def _key_text(key: tuple[str, ...], values: tuple) -> str:
    if len(key) == 1:
        return f"{key[0]} '{values[0]}'"
    return "(" + ", ".join(key) + ") = (" + ", ".join(str(v) for v in values) + ")"


def _split_duplicates(con: duckdb.DuckDBPyConnection, table: str,
                      frame: pl.DataFrame) -> tuple[pl.DataFrame, list[tuple[int, Rejected]]]:
    """Rows whose natural key is new, and quarantine entries for keys already delivered.

    The first delivery wins, whether it came earlier in this chunk or in an earlier run.
    """
    key = list(RAW_TABLES[table].key)
    frame = frame.with_row_index("_row")
    firsts = frame.group_by(key, maintain_order=True).agg(
        pl.col("_row").first().alias("_first_row"), pl.col("_source_file").first().alias("_first_file"),
        pl.col("_record_number").first().alias("_first_number"))
    con.register("incoming_keys", firsts.select(*key, "_first_row"))
    quoted = ", ".join(f'"{k}"' for k in key)
    earlier = con.sql(f"SELECT i._first_row, r._source_file AS _prev_file, r._record_number AS _prev_number "
                      f"FROM incoming_keys i JOIN {RAW_TABLES[table].qualified} r USING ({quoted})").pl()
    con.unregister("incoming_keys")
    frame = (frame.join(firsts, on=key, how="left", maintain_order="left")
             .join(earlier, on="_first_row", how="left", maintain_order="left"))
    is_dup = pl.col("_prev_file").is_not_null() | (pl.col("_row") != pl.col("_first_row"))
    rejected = []
    for rec in frame.filter(is_dup).iter_rows(named=True):
        where = (rec["_prev_file"], rec["_prev_number"]) if rec["_prev_file"] else (rec["_first_file"], rec["_first_number"])
        values = tuple(rec[k] for k in key)
        record = orjson.dumps({k: v for k, v in rec.items() if not k.startswith("_")}, default=str).decode()
        rejected.append((rec["_file_idx"], Rejected(
            table, R.DUPLICATE, f"Duplicate delivery: {_key_text(tuple(key), values)} was already delivered in "
                                f"{where[0]} (record {where[1]}).", record, rec["_record_number"], rec["_content_hash"])))
    keep = frame.filter(~is_dup).drop("_row", "_first_row", "_first_file", "_first_number", "_prev_file", "_prev_number")
    return keep, rejected


def _commit_chunk(con: duckdb.DuckDBPyConnection, family: SourceFamily, chunk: list[tuple[LandingFile, bytes]],
                  parsed: list[ParsedFile], run_id: str, now: datetime, summary: IngestSummary,
                  within: Callable[[duckdb.DuckDBPyConnection], None] | None = None) -> None:
    loaded = [0] * len(chunk)
    rejected: list[tuple[int, Rejected]] = [(i, r) for i, p in enumerate(parsed) for r in p.rejected]
    con.begin()
    try:
        tables = sorted({t for p in parsed for t in p.good})
        for table in tables:
            frames = [p.good[table].with_columns(pl.lit(chunk[i][0].relative).alias("_source_file"),
                                                 pl.lit(i, dtype=pl.Int64).alias("_file_idx"))
                      for i, p in enumerate(parsed) if table in p.good and len(p.good[table])]
            if not frames:
                continue
            frame, dups = _split_duplicates(con, table, pl.concat(frames, how="vertical"))
            rejected.extend(dups)
            for file_idx, n in frame.group_by("_file_idx").len().iter_rows():
                loaded[file_idx] += n
                summary.loaded[table] += n
            con.register("incoming", frame.drop("_file_idx"))
            con.execute(f"INSERT INTO {RAW_TABLES[table].qualified} BY NAME "
                        "SELECT *, $now::TIMESTAMPTZ AS _ingested_at, $run AS _run_id FROM incoming",
                        {"now": now, "run": run_id})
            con.unregister("incoming")
        # hold this chunk's rows naming unknown ids first, then release what is complete now: released the other way
        # round, a refund could come back for a charge this chunk then held (its customer unknown)
        position = {f.relative: i for i, (f, _) in enumerate(chunk)}
        held = hold_unknown_references(con, run_id, list(position), tables)
        released = release_known_references(con)
        if rejected:
            q = pl.DataFrame({
                "source": [family.value] * len(rejected),
                "target_table": [r.target_table for _, r in rejected],
                "reason_code": [r.reason_code.value for _, r in rejected],
                "reason": [r.reason for _, r in rejected],
                "record": [r.record for _, r in rejected],
                "subject_id": [r.subject_id for _, r in rejected],
                "_source_file": [chunk[i][0].relative for i, _ in rejected],
                "_record_number": [r.record_number for _, r in rejected],
                "_content_hash": [r.content_hash for _, r in rejected],
            }, schema_overrides={"record": pl.String, "subject_id": pl.String, "_record_number": pl.Int64})
            con.register("rejected", q)
            con.execute("INSERT INTO quarantine.records BY NAME SELECT *, $now::TIMESTAMPTZ AS _ingested_at, $run AS _run_id "
                        "FROM rejected", {"now": now, "run": run_id})
            con.unregister("rejected")
        quarantined = [0] * len(chunk)
        for i, r in rejected:
            quarantined[i] += 1
            summary.quarantined[r.reason_code.value] += 1
        for (table, file), n in held.items():
            loaded[position[file]] -= n
            quarantined[position[file]] += n
            summary.loaded[table] -= n
            summary.quarantined[R.UNKNOWN_REFERENCE.value] += n
        for (table, file, held_by), n in released.items():
            if held_by == run_id and file in position:  # held and released within this chunk: its ledger row is below
                loaded[position[file]] += n
                quarantined[position[file]] -= n
            if held_by == run_id:
                # held by this run (this chunk or an earlier one, whose ledger row release_known_references updated):
                # the run's own account says loaded, not quarantined and then released
                summary.loaded[table] += n
                summary.quarantined[R.UNKNOWN_REFERENCE.value] -= n
            else:
                summary.released += n
        if not summary.quarantined.get(R.UNKNOWN_REFERENCE.value, 1):
            del summary.quarantined[R.UNKNOWN_REFERENCE.value]  # a reason the run ends with no row of says nothing
        ledger = pl.DataFrame({
            "source": [family.value] * len(chunk),
            "file_path": [f.relative for f, _ in chunk],
            "file_sha256": [sha256(data) for _, data in chunk],
            "file_bytes": [f.size for f, _ in chunk],
            "file_mtime_ns": [f.mtime_ns for f, _ in chunk],
            "records_read": [p.records_read for p in parsed],
            "records_loaded": loaded,
            "records_quarantined": quarantined,
        })
        con.register("ledger", ledger)
        con.execute("INSERT INTO meta.ingested_files BY NAME SELECT *, $now::TIMESTAMPTZ AS ingested_at, $run AS run_id "
                    "FROM ledger", {"now": now, "run": run_id})
        con.unregister("ledger")
        if within:
            within(con)  # e.g. a pull's cursor: committed with the rows it stands for, or not at all
        _fault_point("before_commit", summary.chunks + 1)
        con.commit()
    except BaseException:
        con.rollback()
        raise
    summary.chunks += 1
    _fault_point("after_commit", summary.chunks)
    summary.files_ingested += len(chunk)
    summary.records_read += sum(p.records_read for p in parsed)
    summary.ingested_paths.extend(f.relative for f, _ in chunk)


def ingest_family(con: duckdb.DuckDBPyConnection, landing_root: Path, family: SourceFamily, run_id: str, *,
                  webhook_secret: str | None = None, progress: Callable[[int, int], None] | None = None) -> IngestSummary:
    summary = IngestSummary(family)
    if con.execute("SELECT count(*) FROM meta.build_state WHERE key = 'erasure_pending' AND value LIKE 'landing:%'").fetchall()[0][0]:
        raise UserError("An erasure was interrupted after removing the candidates from the warehouse but before "
                        "rewriting the landing files; ingesting now would take them in again.",
                        "Run the same `huntred erase candidate ...` command again: it finishes the erasure.")
    files = discover(landing_root, family)
    summary.files_found = len(files)
    seen = con.sql("SELECT file_path, file_bytes, file_mtime_ns, file_sha256 FROM meta.ingested_files WHERE source = $s",
                   params={"s": family.value}).fetchall()
    unchanged = {(p, b, m) for p, b, m, _ in seen}
    hashes = {h: p for p, *_, h in seen}
    pending = [f for f in files if (f.relative, f.size, f.mtime_ns) not in unchanged]
    if con.execute("SELECT count(*) FROM quarantine.records WHERE reason_code = $c",
                   {"c": R.UNKNOWN_REFERENCE.value}).fetchall()[0][0]:
        # another source (or an earlier run) may have delivered what held rows were waiting for
        con.begin()
        try:
            summary.released += sum(release_known_references(con).values())
            con.commit()
        except BaseException:
            con.rollback()
            raise
    summary.files_skipped = len(files) - len(pending)
    done = summary.files_skipped
    # parsing is Python and holds the GIL; a commit is mostly DuckDB and polars, which let it go: the next chunk is
    # parsed while the one before commits, on the other core. Commits stay one at a time and in delivery order.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-commit") as committer:
        committing: Future | None = None
        for chunk in _chunks(pending):
            fresh = []
            for f, data in chunk:
                digest = sha256(data)
                if digest in hashes:  # the same bytes under another name or a touched file: already in
                    summary.files_skipped += 1
                    if hashes[digest] != f.relative:
                        summary.duplicate_files.append((f.relative, hashes[digest]))
                    continue
                hashes[digest] = f.relative
                fresh.append((f, data))
            now = datetime.now(timezone.utc)
            parsed = parse_files(family, fresh, webhook_secret=webhook_secret, now=now) if fresh else []
            if committing:
                committing.result()  # the chunk before is in (or its error stops the run here)
            if progress and done:
                progress(done, len(files))
            committing = committer.submit(_commit_chunk, con, family, fresh, parsed, run_id, now, summary) if fresh else None
            done += len(chunk)
        if committing:
            committing.result()
    if progress:
        progress(done, len(files))
    return summary


def landing_file(landing_root: Path, path: Path) -> LandingFile:
    stat = path.stat()
    relative = path.relative_to(landing_root).as_posix()
    return LandingFile(SourceFamily(relative.split("/", 1)[0]), path, relative, stat.st_size, stat.st_mtime_ns)


def ingest_files(con: duckdb.DuckDBPyConnection, files: list[LandingFile], run_id: str, *,
                 webhook_secret: str | None = None,
                 within: Callable[[duckdb.DuckDBPyConnection], None] | None = None) -> IngestSummary:
    """Ingest these landed files of one source in one transaction, with ``within`` run inside it before the commit
    (a connector's cursor). The ledger is the one ``ingest_family`` reads: it will not take them again."""
    family = files[0].family
    summary = IngestSummary(family, files_found=len(files))
    chunk = [(f, f.path.read_bytes()) for f in files]
    now = datetime.now(timezone.utc)
    parsed = parse_files(family, chunk, webhook_secret=webhook_secret, now=now)
    _commit_chunk(con, family, chunk, parsed, run_id, now, summary, within)
    return summary


def accounting_gaps(con: duckdb.DuckDBPyConnection, run_id: str) -> list[tuple[str, int, int, int]]:
    """Files of a run where records read != rows in raw + rows in quarantine (should be none)."""
    unions = " UNION ALL ".join(f"SELECT _source_file FROM {t.qualified} WHERE _run_id = $run" for t in RAW_TABLES.values())
    return con.sql(f"""
        WITH landed AS (
            SELECT _source_file, count(*) AS n FROM ({unions}) GROUP BY ALL
        ), held AS (
            SELECT _source_file, count(*) AS n FROM quarantine.records WHERE _run_id = $run GROUP BY ALL
        )
        SELECT f.file_path, f.records_read, coalesce(l.n, 0), coalesce(h.n, 0)
        FROM meta.ingested_files f
        LEFT JOIN landed l ON l._source_file = f.file_path
        LEFT JOIN held h ON h._source_file = f.file_path
        WHERE f.run_id = $run AND f.records_read <> coalesce(l.n, 0) + coalesce(h.n, 0)
        ORDER BY 1
    """, params={"run": run_id}).fetchall()
