"""No single record stops a run or the publishing of a snapshot, whatever door it came through.

Regression for "one accepted event stops every pipeline run": ``POST /api/events/`` answered
202 to an event for campaign ``cmp_99999``; from then on a dbt relationships test failed in
every run and nothing was published again. An event dated ``9999-12-31T23:59:59+14:00`` made
churn scoring fail ("year 10000").
"""
from __future__ import annotations

import shutil

import duckdb
import orjson

from foundation.settings import get_settings
from orchestration.runs import describe_quarantined, run_pipeline
from serving.snapshot import open_current
from tests.conftest import point_at


def _event(event_id: str, **overrides) -> dict:
    return {"event_id": event_id, "event_type": "gamification.points_awarded", "occurred_at": "2026-10-30T10:00:00-06:00",
            "business_unit": "huntu", "candidate_id": "cand_0000001", "campaign_id": None,
            "payload": {"points": 5, "action": "chat"}, **overrides}


def test_one_odd_record_in_every_source_is_quarantined_and_the_rest_is_published(built_lakehouse, tmp_path, api_as):
    warehouse = tmp_path / "warehouse"
    shutil.copytree(built_lakehouse[0], warehouse, ignore=shutil.ignore_patterns("dagster", "logs", "audit", "api_keys.json"))
    point_at(warehouse)
    landing = warehouse / "landing"
    served_before = (warehouse / "serving" / "CURRENT").read_text()

    # through the API: a well-formed event for a campaign nobody announced is accepted (it may arrive later) ...
    service = api_as("service")
    answer = service.post("/api/events/", json=[
        _event("evt_odd_1", campaign_id="cmp_99999"),
        _event("evt_odd_2", occurred_at="9999-12-31T23:59:59+14:00"),  # ... an impossible date is refused at the door
        _event("evt_fine_1"),
    ])
    assert answer.status_code == 202, answer.text
    body = answer.json()
    assert body["accepted"] == 2 and [r["event_id"] for r in body["rejected"]] == ["evt_odd_2"]
    assert "more than a day in the future" in body["rejected"][0]["reason"]
    # and as files: a post whose payload names an unknown campaign, an event dated 1970, a channel row for an
    # unknown campaign, a CV whose candidate no candidate list names, a Stripe object of a type the marts do not use
    # dated in 2090
    (landing / "ats_events" / "2026-10-31-odd.jsonl").write_bytes(b"\n".join([
        orjson.dumps(_event("evt_odd_3", event_type="publish.post_published", candidate_id=None, payload={
            "post_id": "post_odd", "campaign_id": "cmp_88888", "channel": "linkedin", "phase": "lanzamiento", "language": "es"})),
        orjson.dumps(_event("evt_odd_4", occurred_at="1970-01-01T00:00:00+00:00")),
    ]) + b"\n")
    occ = landing / "channel_metrics" / "occ" / "occ_2026-10-31-odd.csv"
    occ.write_text("Fecha,Clave de campaña,Impresiones,Alcance,Clics,Postulaciones,Inversión (MXN)\n"
                   "30/10/2026,cmp_77777,10,8,1,0,2.5\n", encoding="utf-8")
    batch = next((landing / "scraped_candidates").iterdir())
    (batch / "cvs" / "unknown-candidate-0001.txt").write_text("Ingeniera de datos. Python, SQL.", encoding="utf-8")
    page = landing / "stripe" / "api" / "2026-10-31" / "charges" / "page_odd.json"
    page.write_bytes(orjson.dumps({"object": "list", "has_more": False, "url": "/v1/charges", "data": [
        {"id": "ch_future", "object": "charge", "created": 3_800_000_000, "amount": 100, "currency": "mxn",
         "status": "succeeded", "paid": True}]}))

    outcome = run_pipeline()
    assert outcome.success, outcome.errors
    assert outcome.checks_failed == []
    # the run says how many records it kept out, where and why
    assert outcome.quarantined["ats_events"] == {"unknown_reference": 2, "invalid_value": 1}
    assert outcome.quarantined["channel_metrics"] == {"unknown_reference": 1}
    assert outcome.quarantined["scraped_candidates"] == {"unknown_reference": 1}
    assert outcome.quarantined["stripe"] == {"invalid_value": 1}
    assert describe_quarantined(outcome.quarantined).startswith("6 records quarantined: ats_events 3 (")

    assert (warehouse / "serving" / "CURRENT").read_text() != served_before  # published
    snap = open_current(get_settings()).cursor()
    events = {e for (e,) in snap.sql("SELECT event_id FROM staging.stg_ats__events WHERE event_id LIKE 'evt_%odd%' "
                                      "OR event_id = 'evt_fine_1'").fetchall()}
    assert events == {"evt_fine_1"}
    reasons = dict(snap.sql("SELECT _source_file || '#' || _record_number, reason FROM quarantine.records "
                            "WHERE _run_id = $r", params={"r": outcome.run_id}).fetchall())
    assert any("campaign_id 'cmp_99999' is not a known campaign" in r for r in reasons.values())
    assert any("'cmp_77777' is not a known campaign" in r for r in reasons.values())
    assert any("'unknown-candidate-0001' is not a known scraped candidate" in r for r in reasons.values())
    assert any("created 3800000000" in r for r in reasons.values())

    # and the next run (nothing new) still succeeds: nothing is stuck
    again = run_pipeline()
    assert again.success and again.checks_failed == []
    with duckdb.connect(str(warehouse / "lakehouse.duckdb"), read_only=True) as con:
        gaps = con.sql("SELECT count(*) FROM meta.ingested_files WHERE records_read <> records_loaded + records_quarantined")
        assert gaps.fetchall()[0][0] == 0
