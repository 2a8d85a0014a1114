"""The warehouse file, its single-writer lock, and the read-only serving snapshots.

DuckDB allows one writer or many readers per file. The pipeline is the only
writer (guarded by an OS file lock); at the end of each run it copies what readers
need into a new snapshot file and atomically points ``serving/CURRENT`` at it.
The dashboard and API open only snapshots, read-only, so a running pipeline never
blocks them and they never block it.
"""
from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import duckdb

from foundation.errors import Busy
from foundation.landing import fault_point, land
from foundation.settings import Settings
from models.ml import UNPUBLISHED
from models.warehouse import RAW_TABLES, WAREHOUSE_DDL

#: schemas copied into each serving snapshot (raw stays in the warehouse: readers use staging)
PUBLISHED_SCHEMAS = ("staging", "intermediate", "marts", "people", "meta", "quarantine", "ml")


def connect_writer(settings: Settings) -> duckdb.DuckDBPyConnection:
    settings.warehouse_dir.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(settings.db_path))
    except duckdb.IOException as exc:
        raise Busy(f"The warehouse {settings.db_path} is in use by another process ({exc}).",
                        "Wait for the running pipeline to finish, or stop the process holding the file.") from exc
    for ddl in WAREHOUSE_DDL:
        con.execute(ddl)
    upgrade_raw_tables(con)
    return con


def upgrade_raw_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Raw tables made under an older contract (another natural key, a column that has since become optional) are
    rebuilt under the current one, rows kept: ``CREATE TABLE IF NOT EXISTS`` alone would leave the old constraints,
    and DuckDB cannot alter a primary key. Returns the tables rebuilt."""
    found = con.sql("SELECT table_name, constraint_type, constraint_column_names FROM duckdb_constraints() "
                    "WHERE schema_name = 'raw' AND constraint_type IN ('PRIMARY KEY', 'NOT NULL')").fetchall()
    keys, not_null = {}, {}
    for table, kind, columns in found:
        if kind == "PRIMARY KEY":
            keys[table] = tuple(columns)
        else:
            not_null.setdefault(table, set()).update(columns)
    rebuilt = []
    for table in RAW_TABLES.values():
        if keys.get(table.name) == table.key and not_null.get(table.name, set()) == table.not_null:
            continue
        con.begin()
        try:
            con.execute(table.ddl(f"{table.name}__upgrade"))
            con.execute(f"INSERT INTO raw.{table.name}__upgrade BY NAME SELECT * FROM {table.qualified}")
            con.execute(f"DROP TABLE {table.qualified}")
            con.execute(f"ALTER TABLE raw.{table.name}__upgrade RENAME TO {table.name}")
            con.commit()
        except BaseException:
            con.rollback()
            raise
        rebuilt.append(table.name)
    return rebuilt


def _lock_or_holder(fh) -> str | None:
    """Take the lock on an open lock file without waiting; if another process has it, who (as it wrote itself down)."""
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fh.seek(0)
        return fh.read().strip() or "another process"
    return None


def busy(holder: str) -> Busy:
    """The one answer to a write while another writes: 'busy: run <id> is writing' (409 in the API, exit 2 in the CLI)."""
    return Busy(f"busy: {holder} is writing the warehouse.", "Try again when it has finished (`huntred status`).")


@contextmanager
def writer_lock(settings: Settings, run_id: str | None = None) -> Iterator[None]:
    """Hold the single-writer lock for the duration of a run (released even if the process dies).

    The lock file names the holder (the Dagster run id, the pid, since when), so a second writer is told who.
    """
    settings.warehouse_dir.mkdir(parents=True, exist_ok=True)
    with open(settings.writer_lock_path, "a+") as fh:
        holder = _lock_or_holder(fh)
        if holder:
            raise busy(holder) from None
        fh.seek(0)
        fh.truncate()
        since = datetime.now(timezone.utc).isoformat(timespec="seconds")
        fh.write(f"run {run_id} (pid {os.getpid()}, since {since})" if run_id else f"pid {os.getpid()} since {since}")
        fh.flush()
        try:
            yield
        finally:
            fh.seek(0)
            fh.truncate()
            fcntl.flock(fh, fcntl.LOCK_UN)


def compact(settings: Settings) -> None:
    """Rewrite the warehouse file from its live rows only (deleted rows can linger in freed blocks until then).

    Called under the writer lock after an erasure: a copy is built beside the file and renamed over it.
    """
    target = settings.db_path.with_name(".compacting.duckdb")
    target.unlink(missing_ok=True)
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{settings.db_path}' AS src (READ_ONLY)")
        con.execute(f"ATTACH '{target}' AS dst")
        con.execute("COPY FROM DATABASE src TO dst")
        con.execute("DETACH dst")
        con.execute("DETACH src")
    finally:
        con.close()
    os.replace(target, settings.db_path)


def writer_busy(settings: Settings) -> str | None:
    """Who holds the writer lock right now (None when free): a probe, so a caller can say 'busy' before starting."""
    if not settings.writer_lock_path.exists():
        return None
    with open(settings.writer_lock_path, "a+") as fh:
        holder = _lock_or_holder(fh)
        if holder is None:
            fcntl.flock(fh, fcntl.LOCK_UN)
    return holder


def publish_snapshot(settings: Settings, run_id: str) -> Path:
    """Copy the published schemas into a new snapshot file and make it current (atomic rename)."""
    settings.serving_dir.mkdir(parents=True, exist_ok=True)
    for leftover in settings.serving_dir.glob("snapshot-*.partial"):
        leftover.unlink()  # a publish killed midway (callers hold the writer lock, so none is being written now)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    target = settings.serving_dir / f"snapshot-{stamp}.duckdb"
    partial = target.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    con = duckdb.connect(str(partial))
    try:
        con.execute(f"ATTACH '{settings.db_path}' AS wh (READ_ONLY)")
        tables = con.sql("SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = 'wh' "
                         "UNION ALL SELECT schema_name, view_name FROM duckdb_views() WHERE database_name = 'wh' AND NOT internal "
                         "ORDER BY 1, 2").fetchall()
        for schema in sorted({s for s, _ in tables if s in PUBLISHED_SCHEMAS}):
            con.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
        for schema, table in tables:
            if schema in PUBLISHED_SCHEMAS and f"{schema}.{table}" not in UNPUBLISHED:
                con.execute(f'CREATE TABLE "{schema}"."{table}" AS SELECT * FROM wh."{schema}"."{table}"')
        con.execute("CREATE SCHEMA IF NOT EXISTS serving")
        con.execute("CREATE TABLE serving.snapshot_info AS SELECT $run AS run_id, now() AS published_at",
                    {"run": run_id})
        con.execute("DETACH wh")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    fault_point("publish:before_switch")
    os.replace(partial, target)  # the file is whole under its name before the pointer names it
    point_current_at(settings, target.name)
    _prune(settings, keep=target.name)
    return target


def point_current_at(settings: Settings, name: str) -> None:
    """Make ``serving/CURRENT`` name the snapshot file ``name`` (in the serving folder).

    Written aside, synced, renamed (``land``): a reader sees the old name or the new one, never an empty or half
    written pointer, even while it is switched or after a crash. Rewriting the file in place would truncate it first.
    """
    land(settings.serving_dir / "CURRENT", (name + "\n").encode("utf-8"))


def _prune(settings: Settings, keep: str) -> None:
    snapshots = sorted(settings.serving_dir.glob("snapshot-*.duckdb"))
    for old in snapshots[: max(0, len(snapshots) - 1 - settings.snapshots_kept)]:
        if old.name != keep:
            old.unlink(missing_ok=True)  # a reader holding it open keeps its handle (POSIX)


def current_snapshot(settings: Settings) -> Path | None:
    pointer = settings.serving_dir / "CURRENT"
    if not pointer.exists():
        return None
    name = pointer.read_text(encoding="utf-8").strip()
    path = settings.serving_dir / name
    # an empty or odd pointer (written by hand, a disk error) names no snapshot: "nothing published", not the folder itself
    return path if name.startswith("snapshot-") and path.is_file() else None
