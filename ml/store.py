"""Writing ML outputs into the warehouse's ``ml`` schema (contracts in models/ml.py).

Each output replaces its table's rows in one transaction, so a crashed run leaves
the previous scores whole and a re-run gives the same table.
"""
from __future__ import annotations

import duckdb
import polars as pl

from models.ml import ML_DDL, ML_TABLES


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    for ddl in ML_DDL:
        con.execute(ddl)


def replace_rows(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame, *, where: str | None = None,
                 params: dict | None = None) -> int:
    """Replace the table's rows (or those matching `where`) with `frame`, columns in contract order."""
    ensure_tables(con)
    spec = ML_TABLES[table]
    columns = [name for name, _ in spec.columns]
    missing = set(columns) - set(frame.columns)
    if missing:
        raise ValueError(f"{spec.qualified} needs columns {sorted(missing)}")
    arrow = frame.select(columns).to_arrow()  # noqa: F841 (read by DuckDB's replacement scan below)
    quoted = ", ".join(f'"{c}"' for c in columns)
    con.execute("BEGIN")
    try:
        con.execute(f"DELETE FROM {spec.qualified}" + (f" WHERE {where}" if where else ""), params or {})
        con.execute(f"INSERT INTO {spec.qualified} SELECT {quoted} FROM arrow")
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return frame.height


def read(con: duckdb.DuckDBPyConnection, table: str) -> pl.DataFrame:
    return con.sql(f"SELECT * FROM {ML_TABLES[table].qualified}").pl()
