"""The open lake: the warehouse's raw and ML tables as Parquet files any engine reads (docs/scale-out.md).

DuckDB's file stays where ingestion commits (ledger, quarantine, transactions). The lake
mirrors what is committed there, so Spark (or any engine that reads Parquet) builds the
same dbt models from the same rows:

    lake/raw/<table>/business_date=YYYY-MM-DD/<run>_<n>.parquet   one run's rows of that day
    lake/raw/<table>/_runs/<run>.json                              that run is complete: its row count
    lake/ml/<table>/<version>.parquet                              the table as the ML layer last wrote it

A raw run's files never change once its marker is written, with one exception: a run
whose rows in the warehouse differ from its marker's fingerprint (row count and a hash of
every row: an erasure deleted some of its rows or redacted an id in them) is written
again, so the lake does not keep what the warehouse has forgotten. Files are written in a
staging folder, flushed to disk and moved into place, then the marker: a run killed
half-way leaves no marker, and the next sync writes that run again over the same names.
What Spark derives from the lake (its tables, its catalog, the ML copies) is deleted by an
erasure and rebuilt by the next Spark run (``forget_derived``).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import duckdb

from foundation.landing import fault_point, fsync_dir
from models.ml import ML_TABLES
from models.warehouse import RAW_TABLES, RawTable

PARTITION = "business_date"
MEXICO_CITY = "America/Mexico_City"


def business_date_sql(table: RawTable) -> str:
    """The Mexico City day of a raw row, from its contract's business time (a DATE column is that day already)."""
    column, kind = table.business_time, dict(table.all_columns)[table.business_time].split()[0]
    return f'"{column}"' if kind == "DATE" else f"CAST(timezone('{MEXICO_CITY}', \"{column}\") AS DATE)"


@dataclass
class LakeSync:
    runs_written: dict[str, int] = field(default_factory=dict)  # table -> runs written (new or rewritten)
    rows_written: int = 0
    ml_tables: list[str] = field(default_factory=list)


def _marker(root: Path, table: str, run_id: str) -> Path:
    return root / "raw" / table / "_runs" / f"{run_id}.json"


def _written(marker: Path) -> dict | None:
    try:
        return json.loads(marker.read_text())
    except (OSError, ValueError):
        return None


def _run_files(table_dir: Path, run_id: str) -> list[Path]:
    """The files of exactly this run (run "a" is not run "a_2")."""
    own = re.compile(rf"{re.escape(run_id)}_\d+\.parquet")
    return [p for p in table_dir.glob(f"{PARTITION}=*/*.parquet") if own.fullmatch(p.name)]


def _durable(path: Path) -> None:
    with path.open("rb") as fh:
        os.fsync(fh.fileno())


def write_run(con: duckdb.DuckDBPyConnection, root: Path, table: RawTable, run_id: str, fingerprint: dict) -> None:
    """One run's rows of a raw table, as Parquet files per business day, then its marker (see the module's doc)."""
    table_dir = root / "raw" / table.name
    staging = root / ".staging" / f"{table.name}-{run_id}-{uuid.uuid4().hex[:8]}"
    staging.mkdir(parents=True)
    try:
        con.execute(
            f"COPY (SELECT *, {business_date_sql(table)} AS {PARTITION} FROM {table.qualified} WHERE _run_id = ? "
            f"ORDER BY {', '.join(chr(34) + k + chr(34) for k in table.key)}) TO '{staging}' "
            f"(FORMAT parquet, PARTITION_BY ({PARTITION}), FILENAME_PATTERN '{run_id}_{{i}}')", [run_id])
        stale = set(_run_files(table_dir, run_id))
        for written in staging.glob(f"{PARTITION}=*/*.parquet"):
            _durable(written)  # on disk before the marker says the run is whole
            final = table_dir / written.parent.name / written.name
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(written, final)
            fsync_dir(final.parent)
            stale.discard(final)
            fault_point("lake:after_first_file")
        for old in stale:  # a day the run no longer has rows in (an erasure emptied it)
            old.unlink()
        marker = _marker(root, table.name, run_id)
        marker.parent.mkdir(parents=True, exist_ok=True)
        tmp = marker.with_suffix(".part")
        tmp.write_text(json.dumps(fingerprint))
        os.replace(tmp, marker)
        fsync_dir(marker.parent)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def sync_raw(con: duckdb.DuckDBPyConnection, root: Path, tables: Iterable[RawTable] | None = None) -> LakeSync:
    """Write to the lake every committed run of the raw tables (all by default) that it does not hold as committed
    (see the module's doc)."""
    done = LakeSync()
    shutil.rmtree(root / ".staging", ignore_errors=True)  # what a killed sync left (this is the only writer)
    for table in tables if tables is not None else RAW_TABLES.values():
        committed = {run_id: {"rows": rows, "hash": str(digest)} for run_id, rows, digest in con.execute(
            f"SELECT _run_id, count(*), bit_xor(hash(t)) FROM {table.qualified} t GROUP BY 1").fetchall()}
        markers = root / "raw" / table.name / "_runs"
        for run_id, fingerprint in sorted(committed.items()):
            if _written(markers / f"{run_id}.json") != fingerprint:
                write_run(con, root, table, run_id, fingerprint)
                done.runs_written[table.name] = done.runs_written.get(table.name, 0) + 1
                done.rows_written += fingerprint["rows"]
        # a run every row of which was erased has no rows left: its files go too
        for marker in markers.glob("*.json") if markers.is_dir() else ():
            if marker.stem not in committed:
                for old in _run_files(root / "raw" / table.name, marker.stem):
                    old.unlink()
                marker.unlink()
    return done


def sync_ml(con: duckdb.DuckDBPyConnection, root: Path, version: str) -> list[str]:
    """Each published ML table as one Parquet file named by ``version`` (the run that wrote it); older files go once
    the new one is in place. Written just before a Spark build by the only writer, so no build reads it half-way."""
    written = []
    for table in ML_TABLES.values():
        if not table.published:
            continue
        folder = root / "ml" / table.name
        folder.mkdir(parents=True, exist_ok=True)
        final = folder / f"{version}.parquet"
        tmp = folder / f".{version}.parquet.part"
        con.execute(f"COPY (SELECT * FROM {table.qualified}) TO '{tmp}' (FORMAT parquet)")
        os.replace(tmp, final)
        for old in folder.glob("*.parquet"):
            if old != final:
                old.unlink()
        written.append(table.name)
    return written


def spark_table_dir(root: Path, schema: str, table: str) -> Path:
    """Where Spark's session catalog keeps a table it built (spark.sql.warehouse.dir is lake/spark)."""
    return root / "spark" / f"{schema}.db" / table


def table_files(folder: Path) -> list[str]:
    """The data files of a table Spark wrote: not what Spark itself skips (``_temporary``, ``.spark-staging-…``,
    ``_SUCCESS``: a write in progress or killed), which would be rows twice or rows half-written."""
    return sorted(str(p) for p in folder.rglob("*.parquet")
                  if not any(part.startswith(("_", ".")) for part in p.relative_to(folder).parts))


def import_spark_tables(con: duckdb.DuckDBPyConnection, root: Path, tables: Iterable[tuple[str, str]]) -> list[str]:
    """The tables Spark built, as tables of the warehouse under the same names (one transaction): what the ML layer
    reads and the serving snapshot copies, so readers are the same whichever engine built them."""
    imported = []
    con.begin()
    try:
        for schema, table in tables:
            files = table_files(spark_table_dir(root, schema, table))
            if not files:
                raise FileNotFoundError(f"Spark reported {schema}.{table} built but wrote no data file for it")
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
            con.execute(f"CREATE OR REPLACE TABLE {schema}.{table} AS SELECT * FROM "
                        f"read_parquet(?, hive_partitioning = true, union_by_name = true)", [files])
            imported.append(f"{schema}.{table}")
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return imported


#: what Spark derives from the lake: rebuilt whole by the next Spark run, so an erasure deletes it
DERIVED = ("spark", "metastore", "ml", ".staging", "derby.log")


def forget_derived(root: Path) -> None:
    """Delete what Spark built from the lake, its catalog with it (a catalog naming tables whose files are gone would
    make the next incremental build append to nothing)."""
    for name in DERIVED:
        path = root / name
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
