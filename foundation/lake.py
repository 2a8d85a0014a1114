"""The open lake: the warehouse's raw and ML tables as Parquet files any engine reads (docs/scale-out.md).

DuckDB's file stays where ingestion commits (ledger, quarantine, transactions). The lake
mirrors what is committed there, so Spark (or any engine that reads Parquet) builds the
same dbt models from the same rows:

    lake/raw/<table>/business_date=YYYY-MM-DD/<run>_<n>.parquet   one run's rows of that day
    lake/raw/<table>/_runs/<run>.json                              that run is complete: its row count
    lake/ml/<table>/<version>.parquet                              the table as the ML layer last wrote it

A raw run's files never change once its marker is written, with one exception: a run
whose row count in the warehouse differs from its marker's (an erasure deleted some of
its rows) is written again, so the lake never keeps what the warehouse has forgotten.
Files are written in a staging folder and moved into place, then the marker: a run killed
half-way leaves no marker, and the next sync writes that run again over the same names.
"""
from __future__ import annotations

import json
import os
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


def _written_rows(marker: Path) -> int | None:
    try:
        return int(json.loads(marker.read_text())["rows"])
    except (OSError, ValueError, KeyError):
        return None


def _run_files(table_dir: Path, run_id: str) -> list[Path]:
    return [p for p in table_dir.glob(f"{PARTITION}=*/{run_id}_*.parquet")]


def write_run(con: duckdb.DuckDBPyConnection, root: Path, table: RawTable, run_id: str, rows: int) -> None:
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
            final = table_dir / written.parent.name / written.name
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(written, final)
            stale.discard(final)
            fault_point("lake:after_first_file")
        for old in stale:  # a day the run no longer has rows in (an erasure emptied it)
            old.unlink()
        marker = _marker(root, table.name, run_id)
        marker.parent.mkdir(parents=True, exist_ok=True)
        tmp = marker.with_suffix(".part")
        tmp.write_text(json.dumps({"rows": rows}))
        os.replace(tmp, marker)
        fsync_dir(marker.parent)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def sync_raw(con: duckdb.DuckDBPyConnection, root: Path, tables: Iterable[RawTable] | None = None) -> LakeSync:
    """Write to the lake every committed run of the raw tables (all by default) that it does not hold as committed
    (see the module's doc)."""
    done = LakeSync()
    for table in tables if tables is not None else RAW_TABLES.values():
        committed = dict(con.execute(f"SELECT _run_id, count(*) FROM {table.qualified} GROUP BY 1").fetchall())
        markers = root / "raw" / table.name / "_runs"
        for run_id, rows in sorted(committed.items()):
            if _written_rows(markers / f"{run_id}.json") != rows:
                write_run(con, root, table, run_id, rows)
                done.runs_written[table.name] = done.runs_written.get(table.name, 0) + 1
                done.rows_written += rows
        # a run every row of which was erased has no rows left: its files go too
        for marker in markers.glob("*.json") if markers.is_dir() else ():
            if marker.stem not in committed:
                for old in _run_files(root / "raw" / table.name, marker.stem):
                    old.unlink()
                marker.unlink()
    return done


def sync_ml(con: duckdb.DuckDBPyConnection, root: Path, version: str) -> list[str]:
    """Each published ML table as one Parquet file named by ``version`` (the run that wrote it); older files go
    once the new one is in place, so a reader sees the old table or the new one."""
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


def import_spark_tables(con: duckdb.DuckDBPyConnection, root: Path, tables: Iterable[tuple[str, str]]) -> list[str]:
    """The tables Spark built, as tables of the warehouse under the same names (one transaction): what the ML layer
    reads and the serving snapshot copies, so readers are the same whichever engine built them."""
    imported = []
    con.begin()
    try:
        for schema, table in tables:
            folder = spark_table_dir(root, schema, table)
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
            con.execute(f"CREATE OR REPLACE TABLE {schema}.{table} AS SELECT * FROM "
                        f"read_parquet('{folder}/**/*.parquet', hive_partitioning = true, union_by_name = true)")
            imported.append(f"{schema}.{table}")
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return imported
