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

from foundation.errors import NotFound
from foundation.lake import sync_ml
from foundation.settings import get_settings
from orchestration import launch
from serving.snapshot import open_current
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


def lake_mentions(lake: Path, needle: str) -> dict[str, int]:
    """Rows of every Parquet table of the lake (compressed: searched through DuckDB, not as bytes) naming the needle."""
    found = {}
    for folder in sorted({p.parent.parent if p.parent.name.startswith("business_date=") else p.parent
                          for p in lake.rglob("*.parquet")}):
        files = [str(p) for p in folder.rglob("*.parquet")]
        con = duckdb.connect()
        cols = [c[0] for c in con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [files]).fetchall()]
        cond = " OR ".join(f'contains("{c}"::VARCHAR, ?)' for c in cols)
        (n,), = con.execute(f"SELECT count(*) FROM read_parquet(?) WHERE {cond}", [files, *[needle] * len(cols)]).fetchall()
        if n:
            found[str(folder.relative_to(lake))] = n
    return found


def files_mentioning(root, needle: str) -> list[str]:
    data = needle.encode()
    return [str(p.relative_to(root)) for p in root.rglob("*")
            if p.is_file() and (needle in p.name or data in p.read_bytes())]


def test_erasing_candidates_leaves_nothing_of_them_and_records_it(ml_lakehouse, tmp_path):
    warehouse = tmp_path / "warehouse"
    shutil.copytree(ml_lakehouse, warehouse, ignore=shutil.ignore_patterns("dagster", "logs", "mlflow"))
    point_at(warehouse)
    launch.retrain(["matching", "churn"])  # embeddings, match scores and churn scores exist for them
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
    # the lake holds them too (ingestion wrote it), and so does what a Spark run would have derived (the ML copies)
    lake = get_settings().lake_dir
    with duckdb.connect(str(get_settings().db_path)) as con:
        sync_ml(con, lake, "before-erasure")
    assert {"raw/scraped_candidates", "ml/match_scores"} <= set(lake_mentions(lake, scraped))
    assert "raw/ats_events" in lake_mentions(lake, ats)

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
        assert lake_mentions(settings.lake_dir, who) == {}, who
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
        launch.erase([ats])


def _event(event_id: str, event_type: str, candidate: str | None, payload: dict) -> dict:
    return {"event_id": event_id, "event_type": event_type, "occurred_at": "2026-10-20T10:00:00-06:00",
            "business_unit": "huntu", "candidate_id": candidate, "campaign_id": None, "payload": payload}


def test_erasure_of_a_candidate_whose_events_came_through_the_api_completes_after_a_crash(built_lakehouse, tmp_path, api_as):
    """Regressions: batches naming only the candidate became two empty files with one sha256 and the ledger refused the
    second (leaving hidden .erasing files); leftover partial files kept the subject; erasing a referrer deleted the
    referral events of the people they referred."""
    warehouse = tmp_path / "warehouse"
    shutil.copytree(built_lakehouse[0], warehouse, ignore=shutil.ignore_patterns("dagster", "logs", "audit", "api_keys.json"))
    point_at(warehouse)
    subject, referred = "cand_erase_me", "cand_referred_1"
    service = api_as("service")
    for n in (1, 2):  # two batches that name only the subject: scrubbed, both would be the same empty file
        sent = service.post("/api/events/", json=[_event(f"evt_erase_{n}", "gamification.points_awarded", subject,
                                                         {"points": 5, "action": "chat"})])
        assert sent.status_code == 202, sent.text
    referral = _event("evt_ref_1", "referral.converted", referred, {"referral_id": "ref_1", "referrer_id": subject,
                                                                     "referred_candidate_id": referred})
    assert service.post("/api/events/", json=[referral, _event("evt_ref_2", "gamification.points_awarded", referred,
                                                               {"points": 5, "action": "chat"})]).status_code == 202
    from orchestration.runs import run_pipeline

    assert run_pipeline().success
    settings = get_settings()
    # what crashes leave behind: an API landing killed before its rename, a publish killed midway
    partial_landing = settings.landing_dir / "ats_events" / "http" / ".batch.jsonl.0a1b2c.part"
    partial_landing.write_bytes(orjson.dumps(_event("evt_erase_3", "gamification.points_awarded", subject, {"points": 1,
                                                                                                           "action": "x"})))
    (settings.serving_dir / "snapshot-20260101T000000000000Z.partial").write_bytes(b"half a snapshot naming " + subject.encode())

    huntred = [str(Path(sys.executable).with_name("huntred")), "erase", "candidate", subject, "--yes"]
    env = {**os.environ, "HUNTRED_WAREHOUSE_DIR": str(warehouse)}
    killed = subprocess.run(huntred, cwd=REPO, capture_output=True, text=True, timeout=900,
                            env={**env, "HUNTRED_FAULT": "erase:after_commit"})
    assert killed.returncode == -9, killed.stdout + killed.stderr[-2000:]
    # until it is finished, no run may ingest the landing files that still hold the candidate
    blocked = subprocess.run([str(Path(sys.executable).with_name("huntred")), "run"], cwd=REPO, capture_output=True,
                             text=True, timeout=600, env=env)
    assert blocked.returncode != 0 and "erasure was interrupted" in blocked.stdout + blocked.stderr
    finished = subprocess.run(huntred, cwd=REPO, capture_output=True, text=True, timeout=900, env=env)
    assert finished.returncode == 0, finished.stdout + finished.stderr[-2000:]

    hidden = [p.name for p in warehouse.rglob(".*") if p.suffix in (".erasing", ".part")]
    assert hidden == [] and list(settings.serving_dir.glob("*.partial")) == []
    assert files_mentioning(settings.landing_dir, subject) == [] and files_mentioning(settings.serving_dir, subject) == []
    snapshot = open_current(settings)
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        assert mentions(con, subject) == {}
        assert con.sql("SELECT count(*) FROM meta.erasures").fetchall()[0][0] == 1
    cur = snapshot.cursor()
    assert mentions(cur, subject) == {}
    # the person they referred keeps their referral, with the referrer replaced by the erasure's pseudonym
    (referrer,), = cur.sql("SELECT referrer_id FROM staging.stg_ats__referral_events WHERE event_id = 'evt_ref_1'").fetchall()
    assert referrer.startswith("erased_")
    assert cur.sql("SELECT count(*) FROM staging.stg_ats__events WHERE candidate_id = $c",
                   params={"c": referred}).fetchall()[0][0] == 2


def test_planning_an_erasure_keeps_others_records_and_gives_every_file_its_own_bytes(tmp_path):
    """Found in review: two files that scrubbed to the same bytes were merged by deleting one (its rows went with it),
    and candidates.json entries of other people naming the subject kept the id."""
    from access.erasure import plan_landing, redacted_id, subject_pseudonym

    landing = tmp_path / "landing"
    events = landing / "ats_events" / "http" / "2026-10-20"
    events.mkdir(parents=True)
    other = orjson.dumps(_event("evt_o", "gamification.points_awarded", "cand_other", {"points": 1, "action": "x"}))
    mine = orjson.dumps(_event("evt_m", "gamification.points_awarded", "cand_me", {"points": 1, "action": "x"}))
    referral = orjson.dumps(_event("evt_r", "referral.converted", "cand_other", {"referral_id": "r1", "referrer_id": "cand_me"}))
    (events / "a.jsonl").write_bytes(other + b"\n" + mine + b"\n")
    (events / "b.jsonl").write_bytes(mine + b"\n" + other + b"\n")  # the retried batch: same records, other order
    (events / "c.jsonl").write_bytes(mine + b"\n")
    (events / "d.jsonl").write_bytes(referral + b"\n")
    batch = landing / "scraped_candidates" / "batch_0001"
    batch.mkdir(parents=True)
    (batch / "candidates.json").write_bytes(orjson.dumps({"totalFound": 1, "content": [
        {"id": "cand_other", "firstName": "A", "tags": ["referred by cand_me"], "notes": "cand_me"},
        {"id": "x", "referrer": "cand_me"}]}))
    changes = {c.relative: c for c in plan_landing(landing, ["cand_me"], "k" * 64)}
    stand_in = orjson.dumps(redacted_id(subject_pseudonym("cand_me", "k" * 64)))
    a, b = changes["ats_events/http/2026-10-20/a.jsonl"], changes["ats_events/http/2026-10-20/b.jsonl"]
    assert a.new_bytes is not None and b.new_bytes is not None and a.new_bytes != b.new_bytes  # both kept, both unique
    assert other in a.new_bytes and other in b.new_bytes
    assert changes["ats_events/http/2026-10-20/c.jsonl"].new_bytes is None  # nothing left: deleted
    assert b'"cand_me"' not in changes["ats_events/http/2026-10-20/d.jsonl"].new_bytes
    assert stand_in in changes["ats_events/http/2026-10-20/d.jsonl"].new_bytes  # someone else's referral, redacted
    people = changes["scraped_candidates/batch_0001/candidates.json"].new_bytes
    assert b'"cand_me"' not in people and stand_in in people


def test_an_erasure_waits_for_an_interrupted_erasure_of_other_candidates(warehouse):
    """Found in review: erasing Y after an erasure of X was killed removed X's staged files and re-ingested X."""
    from access.erasure import ERASURE_PENDING
    from foundation.errors import UserError
    from foundation.warehouse import connect_writer

    settings = get_settings()
    con = connect_writer(settings)
    con.execute("INSERT INTO meta.build_state VALUES ($k, 'landing:0123abcd', now(), 'erase')", {"k": ERASURE_PENDING})
    con.close()
    staged = settings.landing_dir / "ats_events" / ".2026-10-20.jsonl.erasing"
    staged.parent.mkdir(parents=True)
    staged.write_bytes(b"the interrupted erasure's new contents\n")
    with pytest.raises(UserError, match="erasure of other candidates was interrupted"):
        launch.erase(["cand_y"])
    assert staged.exists()
