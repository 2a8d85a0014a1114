"""One definition of candidate activity: the dashboard's "active" and the churn model's "inactive" are complements.

On a copy of the built sample, two new candidates act once each, five days before a churn cutoff. In the days
after it, k_active acts again (writes to the chatbot) and k_passive only has things done to them: the bot's message,
a recruiter moving their application to screened, points awarded, a notification delivered. dbt rebuilds the
activity models on the real raw rows (copies of the sample's own events), then:

- the dashboard (mart_active_candidates_daily) counts both active on the first day and only k_active after;
- churn labels k_passive churned (inactive) and k_active not, and does not count the things done to k_passive as
  activity or recency;
- on every day and BU of the sample, the dashboard's active candidates are the candidates of the table churn reads.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest

from ml.churn import features as churn
from tests.conftest import REPO, point_at

BU = "amigro"
#: what k_passive gets after the cutoff: (template query over staging, what it is)
DONE_TO_THEM = {
    "bot_message": "SELECT min(event_id) FROM staging.stg_ats__chat_messages WHERE sender = 'bot'",
    "recruiter_move": "SELECT min(event_id) FROM staging.stg_ats__application_stage_changes WHERE to_stage = 'screened'",
    "points": "SELECT min(event_id) FROM staging.stg_ats__events WHERE event_type = 'gamification.points_awarded'",
    "delivered": "SELECT min(event_id) FROM staging.stg_ats__events WHERE event_type = 'notification.delivered'",
}
OWN_ACT = "SELECT min(event_id) FROM staging.stg_ats__chat_messages WHERE sender = 'candidate'"
ACTIVITY_MODELS = ["stg_ats__events", "stg_ats__chat_messages", "stg_ats__application_stage_changes",
                   "stg_ats__gamification_events", "int_candidate_activity", "mart_active_candidates_daily",
                   "mart_active_candidates_weekly"]


def _noon(day: date) -> str:
    return f"{day.isoformat()} 12:00:00-06:00"


def _copy_event(con, template_sql: str, new_id: str, candidate: str, day: date) -> None:
    (template,), = con.sql(template_sql).fetchall()
    assert template, f"the sample has no event for {template_sql}"
    # a copy of a real raw row: same payload, another candidate, id and day, delivered on its day (no lag)
    con.execute("""INSERT INTO raw.ats_events SELECT * REPLACE ($id AS event_id, $candidate AS candidate_id,
                       $bu AS business_unit, $at::TIMESTAMPTZ AS occurred_at, $file AS _source_file)
                   FROM raw.ats_events WHERE event_id = $template""",
                {"id": new_id, "candidate": candidate, "bu": BU, "at": _noon(day), "template": template,
                 "file": f"test/ats_events_{day.isoformat()}.jsonl"})


def _dbt_run(warehouse: Path, target: Path) -> None:
    run = subprocess.run([str(Path(sys.executable).with_name("dbt")), "--no-use-colors", "run", "--select", *ACTIVITY_MODELS,
                          "--project-dir", ".", "--profiles-dir", ".", "--target-path", str(target),
                          "--log-path", str(target / "logs")],
                         cwd=REPO / "transforms", env={**os.environ, "HUNTRED_WAREHOUSE_DIR": str(warehouse)},
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, (run.stdout + run.stderr)[-3000:]


def _active(con, day: date) -> int:
    rows = con.sql("SELECT active_candidates FROM marts.mart_active_candidates_daily WHERE activity_date = $d "
                   "AND business_unit = $bu", params={"d": day, "bu": BU}).fetchall()
    return rows[0][0] if rows else 0


@pytest.fixture
def activity_world(built_lakehouse, tmp_path):
    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    shutil.copy2(built_lakehouse[0] / "lakehouse.duckdb", warehouse / "lakehouse.duckdb")
    point_at(warehouse)
    return warehouse


def test_a_candidate_with_only_things_done_to_them_is_inactive_on_the_dashboard_and_for_churn(activity_world, tmp_path):
    from foundation.settings import get_settings
    from foundation.warehouse import connect_writer

    con = connect_writer(get_settings())
    first, last = churn.data_range(con)
    middle = first + (last - first) / 2
    cutoff = date(middle.year, middle.month, 1)
    before, after = cutoff - timedelta(days=5), cutoff + timedelta(days=3)
    assert first < before and after + timedelta(days=churn.HORIZON_DAYS) < last
    counted_before = {day: _active(con, day) for day in (before, after)}

    _copy_event(con, OWN_ACT, "evt_test_active_1", "k_active", before)
    _copy_event(con, OWN_ACT, "evt_test_active_2", "k_active", after)
    _copy_event(con, OWN_ACT, "evt_test_passive_1", "k_passive", before)
    for what, template in DONE_TO_THEM.items():
        _copy_event(con, template, f"evt_test_passive_{what}", "k_passive", after)
    con.close()
    _dbt_run(activity_world, tmp_path / "dbt")

    con = connect_writer(get_settings())
    try:
        # the dashboard: both were active on the first day; after the cutoff only k_active was
        assert _active(con, before) == counted_before[before] + 2
        assert _active(con, after) == counted_before[after] + 1

        # churn: k_passive churned, k_active did not (both were scored: active in the 30 days before the cutoff)
        labels = dict(churn.labelled_at(con, cutoff).select("candidate_id", "label").iter_rows())
        assert labels["k_passive"] == 1 and labels["k_active"] == 0

        # what was done to k_passive is not activity or recency for churn either
        later = churn.features_at(con, cutoff + timedelta(days=10)).filter(
            pl.col("candidate_id").is_in(["k_active", "k_passive"]))
        rows = {r["candidate_id"]: r for r in later.iter_rows(named=True)}
        assert rows["k_passive"]["days_since_last_activity"] == 15 and rows["k_passive"]["activity_30d"] == 1
        assert rows["k_active"]["days_since_last_activity"] == 7 and rows["k_active"]["activity_30d"] == 2

        # and on the whole sample: every day's active candidates per BU are the candidates of the table churn reads
        mismatched = con.sql(f"""
            WITH churn_active AS (
                SELECT timezone('America/Mexico_City', occurred_at)::DATE AS activity_date, business_unit,
                       count(DISTINCT candidate_id) AS active_candidates
                FROM {churn.ACTIVITY_TABLE} GROUP BY ALL)
            SELECT * FROM churn_active c FULL JOIN marts.mart_active_candidates_daily m USING (activity_date, business_unit)
            WHERE c.active_candidates IS DISTINCT FROM m.active_candidates""").fetchall()
        assert not mismatched
    finally:
        con.close()
