"""Rows naming ids the warehouse does not know are held in quarantine, and loaded once the id arrives.

Regression for "one accepted event stops every pipeline run": an event for campaign
``cmp_99999`` reached staging and failed a dbt relationships test in every later run.
"""
from __future__ import annotations

import orjson

from foundation.settings import get_settings
from foundation.warehouse import connect_writer
from ingest.driver import accounting_gaps, ingest_family
from models.channels import CHANNEL_EXPORTS
from models.enums import Channel, SourceFamily

ATS, CHANNELS = SourceFamily.ATS_EVENTS, SourceFamily.CHANNEL_METRICS


def campaign_created(campaign_id: str, event_id: str) -> bytes:
    return orjson.dumps({
        "event_id": event_id, "event_type": "publish.campaign_created", "occurred_at": "2026-03-01T09:00:00-06:00",
        "business_unit": "amigro", "campaign_id": campaign_id,
        "payload": {"campaign_id": campaign_id, "name": "Operadores 2026", "objective": "candidate_attraction", "budget": 1000,
                    "currency": "MXN", "channels": ["linkedin"],
                    "phases": [{"phase": "lanzamiento", "start_date": "2026-03-01", "end_date": "2026-03-31"}]}})


def points(event_id: str, campaign_id: str | None, occurred_at: str = "2026-03-02T10:00:00-06:00") -> bytes:
    return orjson.dumps({"event_id": event_id, "event_type": "gamification.points_awarded", "occurred_at": occurred_at,
                         "business_unit": "amigro", "candidate_id": "cand_1", "campaign_id": campaign_id,
                         "payload": {"points": 10, "action": "profile_update"}})


def post(event_id: str, campaign_id: str) -> bytes:
    """A post whose envelope names no campaign but whose payload does (staging reads the payload)."""
    return orjson.dumps({"event_id": event_id, "event_type": "publish.post_published", "occurred_at": "2026-03-02T10:00:00-06:00",
                         "business_unit": "amigro", "payload": {"post_id": f"post_{event_id}", "campaign_id": campaign_id,
                                                                "channel": "linkedin", "phase": "lanzamiento", "language": "es"}})


def land(relative: str, data: bytes) -> None:
    path = get_settings().landing_dir / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def land_events(name: str, lines: list[bytes]) -> None:
    land(f"ats_events/{name}", b"\n".join(lines) + b"\n")


def linkedin_row(campaign_id: str) -> bytes:
    export = CHANNEL_EXPORTS[Channel.LINKEDIN]
    values = {"DATE": "03/02/2026", "ID": campaign_id, "TEXT": "Operadores", "COUNT": "10", "MONEY": "12.5", "CURRENCY": "MXN"}
    header = ",".join(export.headers)
    row = ",".join(values[c.kind.name] for c in export.columns)
    return (header + "\n" + row + "\n").encode()


def held(con) -> list[tuple]:
    return con.sql("SELECT target_table, reason_code, reason FROM quarantine.records ORDER BY ALL").fetchall()


def ingest(con, family, run):
    return ingest_family(con, get_settings().landing_dir, family, run)


def test_an_accepted_event_for_an_unknown_campaign_is_held_in_quarantine_not_loaded(warehouse):
    land_events("2026-03-02.jsonl", [campaign_created("cmp_1", "e1"), points("e2", "cmp_1"), points("e3", "cmp_99999"),
                                     post("e4", "cmp_99999"), points("e5", None)])
    con = connect_writer(get_settings())
    summary = ingest(con, ATS, "r1")
    loaded = {e for (e,) in con.sql("SELECT event_id FROM raw.ats_events").fetchall()}
    assert loaded == {"e1", "e2", "e5"}
    rows = held(con)
    assert [r[:2] for r in rows] == [("ats_events", "unknown_reference")] * 2
    assert any("payload.campaign_id 'cmp_99999' is not a known campaign" in r[2] for r in rows)
    assert any(r[2].startswith("campaign_id 'cmp_99999' is not a known campaign") for r in rows)
    assert summary.quarantined == {"unknown_reference": 2} and summary.records_loaded == 3
    assert con.sql("SELECT records_read, records_loaded, records_quarantined FROM meta.ingested_files").fetchall() == [(5, 3, 2)]
    assert accounting_gaps(con, "r1") == []


def test_a_held_event_is_loaded_when_its_campaign_arrives_later_with_its_lineage_and_bytes_kept(warehouse):
    land_events("2026-03-02.jsonl", [points("e2", "cmp_1"), post("e3", "cmp_1")])
    con = connect_writer(get_settings())
    ingest(con, ATS, "r1")
    assert len(held(con)) == 2
    land_events("2026-03-05.jsonl", [campaign_created("cmp_1", "e1")])  # the creation event delivered late
    summary = ingest(con, ATS, "r2")
    assert summary.released == 2 and held(con) == []
    rows = con.sql("SELECT event_id, _source_file, _record_number, _run_id, event_json::VARCHAR FROM raw.ats_events "
                   "ORDER BY event_id").fetchall()
    assert [r[:4] for r in rows] == [("e1", "ats_events/2026-03-05.jsonl", 1, "r2"),
                                     ("e2", "ats_events/2026-03-02.jsonl", 1, "r1"),
                                     ("e3", "ats_events/2026-03-02.jsonl", 2, "r1")]
    assert rows[1][4] == points("e2", "cmp_1").decode()  # the line exactly as delivered
    ledger = dict((p, (l, q)) for p, l, q in con.sql(
        "SELECT file_path, records_loaded, records_quarantined FROM meta.ingested_files").fetchall())
    assert ledger == {"ats_events/2026-03-02.jsonl": (2, 0), "ats_events/2026-03-05.jsonl": (1, 0)}
    assert accounting_gaps(con, "r1") == [] and accounting_gaps(con, "r2") == []


def test_a_channel_row_for_a_campaign_not_yet_announced_waits_for_the_ats_feed(warehouse):
    land("channel_metrics/linkedin/linkedin_2026-03-02.csv", linkedin_row("cmp_7"))
    con = connect_writer(get_settings())
    ingest(con, CHANNELS, "r1")
    assert [r[:2] for r in held(con)] == [("channel_linkedin", "unknown_reference")]
    land_events("2026-03-01.jsonl", [campaign_created("cmp_7", "e1")])
    ingest(con, ATS, "r2")  # the ATS run releases what the channel file was waiting for
    assert held(con) == []
    assert con.execute("SELECT count(*) FROM raw.channel_linkedin").fetchall()[0][0] == 1
    assert accounting_gaps(con, "r1") == []


def test_an_event_delivered_again_while_held_lands_once(warehouse):
    land_events("2026-03-02.jsonl", [points("e2", "cmp_1")])
    con = connect_writer(get_settings())
    ingest(con, ATS, "r1")
    land_events("2026-03-03.jsonl", [campaign_created("cmp_1", "e1"), points("e2", "cmp_1")])  # redelivered with it
    ingest(con, ATS, "r2")
    assert con.execute("SELECT count(*) FROM raw.ats_events WHERE event_id = 'e2'").fetchall()[0][0] == 1
    ((code, reason),) = con.sql("SELECT reason_code, reason FROM quarantine.records").fetchall()
    assert code == "duplicate" and "already delivered in ats_events/2026-03-03.jsonl (record 2)" in reason
    assert accounting_gaps(con, "r1") == [] and accounting_gaps(con, "r2") == []


def test_events_dated_outside_the_plausible_window_are_invalid_values(warehouse):
    """Regression: an event dated 9999-12-31T23:59:59+14:00 made churn scoring fail ("year 10000")."""
    land_events("2026-03-02.jsonl", [points("e1", None, "9999-12-31T23:59:59+14:00"),
                                     points("e2", None, "1970-01-01T00:00:00+00:00"),
                                     points("e3", None, "2026-03-02T10:00:00-06:00")])
    con = connect_writer(get_settings())
    ingest(con, ATS, "r1")
    rows = con.sql("SELECT reason_code, reason FROM quarantine.records ORDER BY _record_number").fetchall()
    assert [c for c, _ in rows] == ["invalid_value", "invalid_value"]
    assert "occurred_at 9999-12-31T23:59:59+14:00 is more than a day in the future" in rows[0][1]
    assert "is before 2000-01-01" in rows[1][1]


def _page(*objects: dict) -> bytes:
    return orjson.dumps({"object": "list", "has_more": False, "url": "/v1/x", "data": list(objects)})


def test_a_stripe_charge_for_a_customer_not_delivered_yet_waits_for_it(warehouse):
    charge = {"id": "ch_1", "object": "charge", "created": 1772000000, "amount": 1000, "amount_refunded": 0,
              "currency": "mxn", "customer": "cus_1", "invoice": None, "status": "succeeded", "paid": True}
    refund = {"id": "re_1", "object": "refund", "created": 1772000500, "amount": 1000, "currency": "mxn", "charge": "ch_1",
              "status": "succeeded"}
    land("stripe/api/2026-03-02/charges/page_0001.json", _page(charge, refund))
    con = connect_writer(get_settings())
    ingest(con, SourceFamily.STRIPE, "r1")
    rows = held(con)
    assert [r[1] for r in rows] == ["unknown_reference"] * 2
    assert "customer 'cus_1' is not a known Stripe customer" in " ".join(r[2] for r in rows)
    assert "charge 'ch_1' is not a known Stripe charge" in " ".join(r[2] for r in rows)
    land("stripe/api/2026-03-03/customers/page_0001.json", _page({"id": "cus_1", "object": "customer", "created": 1771000000,
                                                                 "metadata": {"business_unit": "amigro"}}))
    ingest(con, SourceFamily.STRIPE, "r2")  # the customer arrives: the charge, then the refund naming it, load
    assert held(con) == []
    assert sorted(o for (o,) in con.sql("SELECT object_id FROM raw.stripe_objects").fetchall()) == ["ch_1", "cus_1", "re_1"]
    assert accounting_gaps(con, "r1") == [] and accounting_gaps(con, "r2") == []


def test_a_held_row_is_not_released_for_a_row_the_same_chunk_holds(warehouse):
    """Found in review: releasing before holding let a refund back into raw for a charge the chunk then held."""
    refund = {"id": "re_1", "object": "refund", "created": 1772000500, "amount": 1000, "currency": "mxn", "charge": "ch_1",
              "status": "succeeded"}
    charge = {"id": "ch_1", "object": "charge", "created": 1772000000, "amount": 1000, "amount_refunded": 0,
              "currency": "mxn", "customer": "cus_9", "invoice": None, "status": "succeeded", "paid": True}
    land("stripe/api/2026-03-01/refunds/page_0001.json", _page(refund))
    con = connect_writer(get_settings())
    ingest(con, SourceFamily.STRIPE, "r1")
    land("stripe/api/2026-03-02/charges/page_0001.json", _page(charge))
    ingest(con, SourceFamily.STRIPE, "r2")
    assert con.execute("SELECT count(*) FROM raw.stripe_objects").fetchall()[0][0] == 0  # neither: the charge waits too
    assert len(held(con)) == 2
    land("stripe/api/2026-03-03/customers/page_0001.json", _page({"id": "cus_9", "object": "customer", "created": 1771000000}))
    ingest(con, SourceFamily.STRIPE, "r3")
    assert held(con) == [] and con.execute("SELECT count(*) FROM raw.stripe_objects").fetchall()[0][0] == 3
    for run in ("r1", "r2", "r3"):
        assert accounting_gaps(con, run) == []
    ledger = con.sql("SELECT records_read, records_loaded, records_quarantined FROM meta.ingested_files ORDER BY file_path")
    assert ledger.fetchall() == [(1, 1, 0)] * 3


def test_rows_held_by_one_chunk_and_released_by_a_later_chunk_of_the_same_run_count_as_loaded(warehouse, monkeypatch):
    import ingest.driver as driver

    monkeypatch.setattr(driver, "CHUNK_BYTES", 1)  # one file per chunk: the campaign arrives in the run's second chunk
    land_events("2026-03-02.jsonl", [points("e2", "cmp_1"), post("e3", "cmp_1")])
    land_events("2026-03-05.jsonl", [campaign_created("cmp_1", "e1")])
    con = connect_writer(get_settings())
    summary = ingest(con, ATS, "r1")
    assert summary.chunks == 2 and held(con) == []
    assert (summary.records_loaded, dict(summary.quarantined), summary.released) == (3, {}, 0)
    ledger = dict((p, (l, q)) for p, l, q in con.sql(
        "SELECT file_path, records_loaded, records_quarantined FROM meta.ingested_files").fetchall())
    assert ledger == {"ats_events/2026-03-02.jsonl": (2, 0), "ats_events/2026-03-05.jsonl": (1, 0)}
    assert accounting_gaps(con, "r1") == []
