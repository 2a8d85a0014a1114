"""The same dbt project built by DuckDB and by Spark, compared table by table, row by row on each model's key.

DuckDB's tables are read from the warehouse file; Spark's from the Parquet files it wrote under the lake. Two tables
agree when they have the same columns, of the same kind (text, whole number, fraction, date,
point in time, list), and the same rows: matched on the model's key, each value equal, money (a column in MXN, or
an amount) within half a cent and other fractions within 1e-9 of their size. Column order is not compared: a
table Spark partitions keeps its partition column last.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from foundation.lake import spark_table_dir

#: under a cent: a cent's difference is a difference (the rounding both engines share is money())
MONEY_TOLERANCE = 0.005
RELATIVE_TOLERANCE = 1e-9
KINDS = {"VARCHAR": "text", "JSON": "text", "BOOLEAN": "boolean", "DATE": "date", "TIMESTAMP WITH TIME ZONE": "instant",
         "TIMESTAMP": "instant", "DOUBLE": "fraction", "FLOAT": "fraction", "TINYINT": "whole", "SMALLINT": "whole",
         "INTEGER": "whole", "BIGINT": "whole", "HUGEINT": "whole", "UBIGINT": "whole", "UINTEGER": "whole"}


def kind(data_type: str) -> str:
    if data_type.endswith("[]"):
        return "list of " + kind(data_type[:-2])
    if data_type.startswith("DECIMAL"):
        return "decimal" if not data_type.endswith(",0)") else "whole"
    return KINDS.get(data_type, data_type)


def is_money(column: str) -> bool:
    return column.endswith("_mxn") or "amount" in column or column in {"spend", "budget", "charged", "refunded"}


@dataclass
class Difference:
    table: str
    what: str

    def __str__(self) -> str:
        return f"{self.table}: {self.what}"


def spark_relation(lake: Path, schema: str, table: str) -> str:
    """DuckDB's view of a table Spark wrote (a folder of Parquet files, partitioned ones in key=value folders)."""
    folder = spark_table_dir(lake, schema, table)
    return f"read_parquet('{folder}/**/*.parquet', hive_partitioning = true, union_by_name = true)"


def compare_table(con: duckdb.DuckDBPyConnection, schema: str, table: str, key: list[str], lake: Path,
                  ignore: set[str] = frozenset()) -> list[Difference]:
    """How a table DuckDB built differs from the one Spark built (nothing: the same); ``ignore`` names columns whose
    values the comparison skips (set by the run, not by the data)."""
    name = f"{schema}.{table}"
    folder = spark_table_dir(lake, schema, table)
    on_duckdb = con.execute("SELECT count(*) FROM duckdb_tables() WHERE schema_name = ? AND table_name = ?",
                            [schema, table]).fetchone()[0]
    if not on_duckdb:  # a model neither run built (the daily partitions are their own job) is no difference
        return [Difference(name, "built on Spark only")] if folder.is_dir() else []
    duck = con.execute(f"DESCRIBE {schema}.{table}").fetchall()
    if not any(folder.rglob("*.parquet")):
        rows = con.execute(f"SELECT count(*) FROM {schema}.{table}").fetchone()[0]
        return [] if rows == 0 else [Difference(name, f"Spark wrote no file; DuckDB has {rows} rows")]
    spark = con.execute(f"DESCRIBE SELECT * FROM {spark_relation(lake, schema, table)}").fetchall()
    duck_columns = [(c[0], kind(c[1])) for c in duck]
    key = key or [c for c, _ in duck_columns]
    spark_kinds = {c[0]: kind(c[1]) for c in spark}
    if sorted(c for c, _ in duck_columns) != sorted(spark_kinds):
        return [Difference(name, f"columns differ: DuckDB {[c for c, _ in duck_columns]}, Spark {list(spark_kinds)}")]
    differences = [Difference(name, f"column {c} is {k} on DuckDB, {spark_kinds[c]} on Spark")
                   for c, k in duck_columns if spark_kinds[c] != k and {k, spark_kinds[c]} != {"whole", "decimal"}]
    counts = con.execute(f"SELECT (SELECT count(*) FROM {schema}.{table}), "
                         f"(SELECT count(*) FROM {spark_relation(lake, schema, table)})").fetchone()
    if counts[0] != counts[1]:
        differences.append(Difference(name, f"{counts[0]} rows on DuckDB, {counts[1]} on Spark"))
    on = " AND ".join(f'd."{k}" IS NOT DISTINCT FROM s."{k}"' for k in key)
    unmatched = con.execute(
        f"SELECT count(*) FILTER (WHERE s.\"{key[0]}\" IS NULL AND d.\"{key[0]}\" IS NOT NULL), "
        f"count(*) FILTER (WHERE d.\"{key[0]}\" IS NULL AND s.\"{key[0]}\" IS NOT NULL) "
        f"FROM {schema}.{table} d FULL JOIN {spark_relation(lake, schema, table)} s ON {on}").fetchone()
    if any(unmatched):
        differences.append(Difference(name, f"{unmatched[0]} keys only on DuckDB, {unmatched[1]} only on Spark"))
    for column, column_kind in duck_columns:
        if column in key or column in ignore or (spark_kinds[column] != column_kind and "decimal" not in (column_kind, spark_kinds[column])):
            continue  # a key is matched on; a column of another kind is reported above
        d, s = f'd."{column}"', f's."{column}"'
        if column_kind in ("fraction", "decimal"):
            tolerance = str(MONEY_TOLERANCE) if is_money(column) else f"{RELATIVE_TOLERANCE} * greatest(1, abs({d}))"
            differs = (f"({d} IS NULL) <> ({s} IS NULL) OR (isnan({d}::DOUBLE) <> isnan({s}::DOUBLE)) "
                       f"OR abs({d}::DOUBLE - {s}::DOUBLE) > {tolerance}")
        else:
            differs = f"{d} IS DISTINCT FROM {s}"
        found = con.execute(f"SELECT count(*), any_value({d}::VARCHAR), any_value({s}::VARCHAR) FROM {schema}.{table} d "
                            f"JOIN {spark_relation(lake, schema, table)} s ON {on} WHERE {differs}").fetchone()
        if found[0]:
            differences.append(Difference(name, f"{found[0]} rows differ in {column} (e.g. DuckDB {found[1]!r}, "
                                                f"Spark {found[2]!r})"))
    return differences


def model_keys(manifest: dict) -> dict[tuple[str, str], list[str]]:
    """(schema, table) -> its key, for every model built as a table: the column its `unique` test names, or the
    columns of its `unique_combination` test. A model with neither is compared on all its columns."""
    keys: dict[tuple[str, str], list[str]] = {}
    models = {uid: n for uid, n in manifest["nodes"].items() if n["resource_type"] in ("model", "seed")}
    for test in manifest["nodes"].values():
        meta = test.get("test_metadata") or {}
        owner = models.get(test.get("attached_node") or "")
        if test["resource_type"] != "test" or owner is None:
            continue
        where = (owner["schema"], owner["alias"])
        if meta.get("name") == "unique":
            keys.setdefault(where, [meta["kwargs"]["column_name"]])
        elif meta.get("name") == "unique_combination" and where not in keys:
            keys[where] = list(meta["kwargs"]["columns"])
    return {(n["schema"], n["alias"]): keys.get((n["schema"], n["alias"]), [])
            for n in models.values() if n["config"].get("materialized") in ("table", "incremental", "seed")}
