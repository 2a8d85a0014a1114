"""The README's path on a small scale: generate, materialize through Dagster, re-run, feed bad files, kill."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import orjson
import polars as pl
from typer.testing import CliRunner

from cli.main import app
from orchestration.runs import run_pipeline
from tests.conftest import REPO, new_warehouse, point_at

VOLATILE = ("ingested_at", "run_id", "file_mtime_ns", "updated_at")


def read_only(warehouse: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(warehouse / "lakehouse.duckdb"), read_only=True)


def raw_counts(con) -> dict[str, int]:
    tables = [t for (t,) in con.sql("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'raw'").fetchall()]
    return {t: con.sql(f"SELECT count(*) FROM raw.{t}").fetchall()[0][0] for t in tables}


def quarantine_counts(con) -> dict[str, int]:
    return {f"{t}/{r}": n for t, r, n in con.sql(
        "SELECT target_table, reason_code, count(*) FROM quarantine.records GROUP BY ALL").fetchall()}


def copy_warehouse(src: Path, dest_root: Path) -> Path:
    dest = dest_root / "warehouse"
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns("dagster", "logs", ".writer.lock"))
    point_at(dest)
    return dest


def test_every_generated_row_is_in_raw_or_quarantine_with_the_expected_reason(built_lakehouse, generated):
    warehouse, outcome = built_lakehouse
    _, manifest = generated
    con = read_only(warehouse)
    assert raw_counts(con) == {t: n for t, n in manifest.raw_rows.items()}
    assert quarantine_counts(con) == dict(manifest.quarantined)
    assert outcome.checks_failed == []
    # staging keeps every ingested event, and the snapshot has what readers need
    assert con.sql("SELECT count(*) FROM staging.stg_ats__events").fetchall()[0][0] == manifest.raw_rows["ats_events"]
    snapshot = (warehouse / "serving" / (warehouse / "serving" / "CURRENT").read_text().strip())
    snap = duckdb.connect(str(snapshot), read_only=True)
    schemas = {s for (s,) in snap.sql("SELECT DISTINCT schema_name FROM duckdb_tables()").fetchall()}
    assert {"staging", "intermediate", "meta", "quarantine", "serving"} <= schemas and "raw" not in schemas


def test_rerunning_adds_nothing_and_new_files_add_only_themselves(built_lakehouse, tmp_path):
    warehouse = copy_warehouse(built_lakehouse[0], tmp_path)
    before = raw_counts(read_only(warehouse))
    outcome = run_pipeline()
    assert outcome.success and outcome.checks_failed == []
    con = read_only(warehouse)
    assert raw_counts(con) == before
    assert con.sql("SELECT count(DISTINCT run_id) FROM meta.ingested_files").fetchall()[0][0] == 1
    con.close()
    late = warehouse / "landing" / "ats_events" / "2026-11-01.jsonl"
    late.write_bytes(orjson.dumps({"event_id": "evt_new_1", "event_type": "gamification.points_awarded",
                                   "occurred_at": "2026-11-01T09:00:00-06:00", "business_unit": "huntu",
                                   "candidate_id": "cand_0000001", "payload": {"points": 5, "action": "chat"}}) + b"\n")
    assert run_pipeline().success
    con = read_only(warehouse)
    after = raw_counts(con)
    assert after["ats_events"] == before["ats_events"] + 1 and {k: v for k, v in after.items() if k != "ats_events"} == {
        k: v for k, v in before.items() if k != "ats_events"}
    assert con.sql("SELECT count(*) FROM staging.stg_ats__events WHERE event_id = 'evt_new_1'").fetchall()[0][0] == 1


def test_a_users_bad_files_are_ingested_through_the_cli_with_each_reason(built_lakehouse, tmp_path):
    warehouse = copy_warehouse(built_lakehouse[0], tmp_path / "wh")
    good = {"event_id": "evt_user_1", "event_type": "workflow.stage_changed", "occurred_at": "2026-10-30T10:00:00-06:00",
            "business_unit": "huntred", "candidate_id": "cand_0000002", "campaign_id": None,
            "payload": {"application_id": "app_u1", "vacancy_id": "vac_000001", "from_stage": None, "to_stage": "applied",
                        "source_channel": "web"}}
    bad = tmp_path / "my-events.jsonl"
    bad.write_bytes(b"\n".join([
        orjson.dumps(good),
        orjson.dumps(good),  # delivered twice
        orjson.dumps(good)[:30],  # truncated
        orjson.dumps({**good, "event_id": "evt_user_2", "business_unit": "huntRED Tech"}),
        orjson.dumps({**good, "event_id": "evt_user_3", "candidate_id": None}),
        orjson.dumps({**good, "event_id": "evt_user_4", "occurred_at": "yesterday"}),
    ]) + b"\n")
    csv_file = tmp_path / "occ_export.csv"
    csv_file.write_text("Fecha,Clave de campaña,Impresiones,Alcance,Clics,Postulaciones,Inversión (MXN)\n"
                        "30/10/2026,,100,80,5,1,20.5\n30/10/2026,cmp_00001,-1,80,5,1,20.5\n", encoding="utf-8")
    again = tmp_path / "resent.jsonl"  # the same bytes again, ingested after my-events.jsonl (files go in path order)
    again.write_bytes(bad.read_bytes())
    runner = CliRunner()
    result = runner.invoke(app, ["ingest", "ats_events", str(bad), str(again)])
    assert result.exit_code == 0, result.output
    # one line per file given: what landed, what was quarantined and why, what was already in
    assert (f"  {bad}: landed: 6 records, 1 loaded, 5 quarantined (duplicate 1, invalid_value 1, malformed 1, "
            "missing_field 1, unknown_value 1)\n") in result.output, result.output
    assert f"  {again}: duplicate: already ingested as ats_events/upload-" in result.output, result.output
    assert "/my-events.jsonl, skipped\n" in result.output, result.output
    result = runner.invoke(app, ["ingest", "channel_metrics", str(csv_file), "--channel", "occ"])
    assert result.exit_code == 0, result.output
    assert f"  {csv_file}: landed: 2 records, 0 loaded, 2 quarantined (invalid_value 1, missing_field 1)\n" in result.output
    con = read_only(warehouse)
    got = con.sql("SELECT reason_code, reason FROM quarantine.records WHERE _source_file LIKE '%my-events.jsonl' "
                  "ORDER BY _record_number").fetchall()
    assert [c for c, _ in got] == ["duplicate", "malformed", "unknown_value", "missing_field", "invalid_value"]
    assert "already delivered in ats_events/upload-" in got[0][1]
    occ = con.sql("SELECT reason FROM quarantine.records WHERE _source_file LIKE '%occ_export.csv' ORDER BY 1").fetchall()
    assert [r for (r,) in occ] == ["'Clave de campaña' (campaign id) is empty.",
                                   "'Impresiones' is '-1'; a count must be a whole number of 0 or more."]
    assert con.sql("SELECT count(*) FROM staging.stg_ats__application_stage_changes WHERE event_id = 'evt_user_1'").fetchall()[0][0] == 1


def _table_contents(warehouse: Path) -> dict[str, pl.DataFrame]:
    con = read_only(warehouse)
    out = {}
    for schema, table in con.sql("SELECT schema_name, table_name FROM duckdb_tables() WHERE schema_name IN "
                                 "('raw', 'quarantine', 'staging', 'intermediate', 'meta') AND table_name <> 'build_state'").fetchall():
        cols = [c for (c,) in con.sql("SELECT column_name FROM duckdb_columns() WHERE schema_name = $s AND table_name = $t",
                                      params={"s": schema, "t": table}).fetchall() if not any(v in c for v in VOLATILE)]
        quoted = ", ".join(f'"{c}"' for c in cols)
        out[f"{schema}.{table}"] = con.sql(f'SELECT {quoted} FROM "{schema}"."{table}" ORDER BY ALL').pl()
    return out


def test_a_run_killed_mid_ingestion_then_rerun_equals_one_clean_run(built_lakehouse, generated, tmp_path):
    warehouse = new_warehouse(tmp_path, generated[0])
    point_at(warehouse)
    env = {**os.environ, "HUNTRED_INGEST_CHUNK_BYTES": "300000"}  # many small transactions to die between
    huntred = [str(Path(sys.executable).with_name("huntred")), "run"]
    for fault in ("before_commit:2", "after_commit:3"):
        died = subprocess.run(huntred, env={**env, "HUNTRED_FAULT": fault}, cwd=REPO, capture_output=True, text=True, timeout=300)
        assert died.returncode == -9, died.stdout + died.stderr  # SIGKILL: no cleanup ran
    con = read_only(warehouse)
    partial = con.sql("SELECT count(*) FROM meta.ingested_files").fetchall()[0][0]
    con.close()
    assert partial > 0  # the second kill happened after some chunks had committed
    rerun = subprocess.run(huntred, env=env, cwd=REPO, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    clean, recovered = _table_contents(built_lakehouse[0]), _table_contents(warehouse)
    assert clean.keys() == recovered.keys()
    for name in clean:
        assert clean[name].equals(recovered[name]), name


def _published_contents(warehouse: Path) -> dict[str, pl.DataFrame]:
    """What readers see: every table of the current snapshot built from data (not from run times or ids)."""
    snapshot = warehouse / "serving" / (warehouse / "serving" / "CURRENT").read_text().strip()
    con = duckdb.connect(str(snapshot), read_only=True)
    out = {}
    for schema, table in con.sql("SELECT schema_name, table_name FROM duckdb_tables() WHERE schema_name IN "
                                 "('quarantine', 'staging', 'intermediate', 'marts', 'meta') AND table_name <> 'build_state' "
                                 "UNION ALL SELECT 'ml', 'candidate_profiles'").fetchall():
        cols = [c for (c,) in con.sql("SELECT column_name FROM duckdb_columns() WHERE schema_name = $s AND table_name = $t",
                                      params={"s": schema, "t": table}).fetchall()
                if not any(v in c for v in (*VOLATILE, "analyzed_at"))]
        quoted = ", ".join(f'"{c}"' for c in cols)
        out[f"{schema}.{table}"] = con.sql(f'SELECT {quoted} FROM "{schema}"."{table}" ORDER BY ALL').pl()
    con.close()
    return out


def test_chaos_sigkill_at_random_moments_then_rerun_publishes_what_one_clean_build_publishes(built_lakehouse, generated, tmp_path):
    """A run killed anywhere (ingestion, dbt, analyzers, publishing), several times, then run again: readers get exactly
    the snapshot one clean build of the same landing files gives, and nothing is left half-written."""
    import random
    import signal
    import time

    from orchestration.defs.transforms import DBT_OUTPUTS_KEPT

    warehouse = new_warehouse(tmp_path, generated[0])
    point_at(warehouse)
    seed = int(os.environ.get("HUNTRED_CHAOS_SEED", time.time_ns() % 10_000))
    chance = random.Random(seed)
    clean_seconds = built_lakehouse[1].seconds
    huntred = [str(Path(sys.executable).with_name("huntred")), "run"]
    env = {**os.environ, "HUNTRED_INGEST_CHUNK_BYTES": "300000"}
    kills = []
    for _ in range(3):
        run = subprocess.Popen(huntred, env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
        delay = chance.uniform(1.0, max(2.0, clean_seconds))
        try:
            run.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            os.killpg(run.pid, signal.SIGKILL)  # the run and dbt's subprocess with it, as a power cut would
            run.wait()
        kills.append((round(delay, 1), run.returncode))
    final = subprocess.run(huntred, env=env, cwd=REPO, capture_output=True, text=True, timeout=900)
    assert final.returncode == 0, f"seed {seed}, kills {kills}: " + final.stdout[-2000:] + final.stderr[-2000:]
    clean, recovered = _published_contents(built_lakehouse[0]), _published_contents(warehouse)
    assert clean.keys() == recovered.keys(), f"seed {seed}"
    for name in clean:
        assert clean[name].equals(recovered[name]), f"{name} differs (seed {seed}, kills at {kills})"
    assert list((warehouse / "serving").glob("*.partial")) == []
    assert len(list((warehouse / "dbt").iterdir())) <= DBT_OUTPUTS_KEPT  # dbt's output stays bounded, under the warehouse


def test_a_run_killed_while_publishing_is_published_by_the_next_run(built_lakehouse, tmp_path):
    """Regression: a SIGKILL during the publish step left serving/CURRENT stale forever (re-runs exited 0 having
    skipped the build as 'nothing new'), while `huntred status` reported the files as not yet ingested."""
    from foundation.settings import get_settings
    from ingest.driver import discover
    from models.enums import SourceFamily
    from serving.snapshot import open_current
    from serving.status import ingested_paths

    warehouse = copy_warehouse(built_lakehouse[0], tmp_path)
    new_file = warehouse / "landing" / "ats_events" / "2026-11-02.jsonl"
    new_file.write_bytes(orjson.dumps({"event_id": "evt_publish_1", "event_type": "gamification.points_awarded",
                                       "occurred_at": "2026-11-02T09:00:00-06:00", "business_unit": "huntu",
                                       "candidate_id": "cand_0000001", "payload": {"points": 5, "action": "chat"}}) + b"\n")
    served_before = (warehouse / "serving" / "CURRENT").read_text()
    huntred = [str(Path(sys.executable).with_name("huntred")), "run"]
    killed = subprocess.run(huntred, env={**os.environ, "HUNTRED_FAULT": "publish:before_switch"}, cwd=REPO,
                            capture_output=True, text=True, timeout=600)
    assert killed.returncode == -9, killed.stdout + killed.stderr[-2000:]
    assert (warehouse / "serving" / "CURRENT").read_text() == served_before
    rerun = subprocess.run(huntred, env=os.environ, cwd=REPO, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr[-2000:]
    assert (warehouse / "serving" / "CURRENT").read_text() != served_before
    assert list((warehouse / "serving").glob("*.partial")) == []
    snap = open_current(get_settings())
    assert snap.cursor().sql("SELECT count(*) FROM staging.stg_ats__events WHERE event_id = 'evt_publish_1'").fetchall()[0][0] == 1
    landed = {f.relative for f in discover(warehouse / "landing", SourceFamily.ATS_EVENTS)}
    assert landed <= set(ingested_paths(snap))  # status agrees with what is served: nothing left "not yet ingested"
