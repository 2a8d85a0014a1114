"""Scores replace their table in one transaction: a failed write leaves the previous scores whole."""
from __future__ import annotations

from datetime import datetime, timezone

import duckdb
import polars as pl
import pytest

from ml.store import read, replace_rows


def _segments(*names: str, members: int | None = 1) -> pl.DataFrame:
    now = datetime.now(timezone.utc)
    return pl.DataFrame({"segment_id": [f"seg_{n}" for n in names], "name": list(names), "rules_json": ['{"skills": ["SQL"]}'] * len(names),
                         "business_unit": [None] * len(names), "sql_where": ["true"] * len(names),
                         "members": [members] * len(names), "created_at": [now] * len(names)},
                        schema_overrides={"business_unit": pl.String, "members": pl.Int64})


def test_a_failed_write_rolls_back_and_a_good_one_replaces(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    replace_rows(con, "segments", _segments("a", "b"))
    with pytest.raises(duckdb.ConstraintException):
        replace_rows(con, "segments", _segments("c", members=None))  # members is NOT NULL: the insert fails
    assert sorted(read(con, "segments")["name"]) == ["a", "b"]  # the delete before it was rolled back too
    with pytest.raises(ValueError, match="needs columns"):
        replace_rows(con, "segments", _segments("d").drop("members"))
    replace_rows(con, "segments", _segments("e"))
    assert read(con, "segments")["name"].to_list() == ["e"]
    replace_rows(con, "segments", _segments("f"), where="segment_id = $s", params={"s": "seg_f"})
    assert sorted(read(con, "segments")["name"]) == ["e", "f"]
