"""`huntred erase candidate ID`: nothing of the candidate remains anywhere, and the erasure is on record."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import orjson
import pytest

from huntred.erase import erase_candidates
from huntred.errors import NotFound
from huntred.ml_ops import retrain
from huntred.serving import open_current
from huntred.settings import get_settings
from tests.conftest import REPO, point_at


def mentions(con: duckdb.DuckDBPyConnection, needle: str) -> dict[str, int]:
    """Rows of every table (and view) whose any column, as text, contains the needle."""
    found = {}
    columns = con.sql("SELECT table_schema, table_name, list(column_name) FROM information_schema.columns "
                      "WHERE table_catalog = current_database() GROUP BY ALL").fetchall()
    for schema, table, cols in columns:
        cond = " OR ".join(f'contains("{c}"::VARCHAR, $n)' for c in cols)
        (n,), = con.sql(f'SELECT count(*) FROM "{schema}"."{table}" WHERE {cond}', params={"n": needle}).fetchall()
        if n:
            found[f"{schema}.{table}"] = n
    return found


def files_mentioning(root, needle: str) -> list[str]:
    data = needle.encode()
    return [str(p.relative_to(root)) for p in root.rglob("*")
            if p.is_file() and (needle in p.name or data in p.read_bytes())]


def test_erasing_candidates_leaves_nothing_of_them_and_records_it(ml_lakehouse, tmp_path):
    warehouse = tmp_path / "warehouse"
    shutil.copytree(ml_lakehouse, warehouse, ignore=shutil.ignore_patterns("dagster", "logs", "mlflow"))
    point_at(warehouse)
    retrain(["matching", "churn"])  # embeddings, match scores and churn scores exist for them
    cur = open_current(get_settings()).cursor()
    scraped = cur.sql("""SELECT m.candidate_id FROM ml.match_scores m JOIN staging.stg_scraped__cvs USING (candidate_id)
                         JOIN ml.analyzer_results a ON a.entity_id = m.candidate_id
                         ORDER BY m.candidate_id LIMIT 1""").fetchall()[0][0]
    ats = cur.sql("SELECT min(candidate_id) FROM ml.churn_scores").fetchall()[0][0]
    with duckdb.connect(str(get_settings().db_path), read_only=True) as con:
        (cached,), = con.sql("SELECT count(*) FROM ml.embeddings").fetchall()
        before = {who: mentions(con, who) for who in (scraped, ats)}
    assert {"raw.scraped_candidates", "raw.scraped_cvs", "ml.candidate_profiles", "ml.match_scores"} <= set(before[scraped])
    assert {"raw.ats_events", "ml.churn_scores"} <= set(before[ats])
    audit_lines = orjson.loads(next((warehouse / "landing" / "scraped_candidates").rglob("candidates.json")).read_bytes())

    # the erasure rebuilds and republishes the lakehouse: more than the CLI helper's two minutes on a busy machine
    result = subprocess.run([str(Path(sys.executable).with_name("huntred")), "erase", "candidate", scraped, ats, "--yes"],
                            cwd=REPO, capture_output=True, text=True, timeout=900,
                            env={**os.environ, "HUNTRED_WAREHOUSE_DIR": str(warehouse)})
    assert result.returncode == 0, result.stderr[-2000:]
    assert f"Erased {scraped}" in result.stdout and f"Erased {ats}" in result.stdout

    settings = get_settings()
    snapshots = list(settings.serving_dir.glob("snapshot-*.duckdb"))
    assert len(snapshots) == 1
    for who in (scraped, ats):
        for db in (settings.db_path, snapshots[0]):
            with duckdb.connect(str(db), read_only=True) as con:
                assert mentions(con, who) == {}, (db.name, who)
        assert files_mentioning(settings.landing_dir, who) == []
        assert files_mentioning(settings.serving_dir, who) == []
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        (left,), = con.sql("SELECT count(*) FROM ml.embeddings").fetchall()
        erasures = con.sql("SELECT subject, rows_deleted FROM meta.erasures ORDER BY erased_at").fetchall()
        gaps = con.sql("SELECT count(*) FROM meta.ingested_files f WHERE records_read <> records_loaded + records_quarantined")
        assert gaps.fetchall()[0][0] == 0
    assert left < cached  # their CV's embedding is gone from the cache
    assert len(erasures) == 2 and all(scraped not in s and ats not in s for s, _ in erasures)
    assert "raw.ats_events" in orjson.loads(erasures[1][1])

    # the landing files kept everything else, and the rebuild after the erasure took none of them in again
    after = orjson.loads(next((warehouse / "landing" / "scraped_candidates").rglob("candidates.json")).read_bytes())
    assert len(after["content"]) == len(audit_lines["content"]) - 1
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        (taken_again,), = con.sql("SELECT count(*) FROM meta.ingested_files "
                                  "WHERE ingested_at > (SELECT max(erased_at) FROM meta.erasures)").fetchall()
        assert taken_again == 0

    with pytest.raises(NotFound):
        erase_candidates(settings, [ats])
