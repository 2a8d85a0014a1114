"""Every customer/charge/invoice/subscription/refund of Stripe's own fixtures is ingested without loss."""
from __future__ import annotations

import json

import orjson

from foundation.settings import get_settings
from foundation.warehouse import connect_writer
from ingest.driver import ingest_family
from models.enums import SourceFamily
from sample_data.stripe_data import sign
from tests.conftest import FIXTURES, need_fixture

RESOURCES = ("customer", "charge", "invoice", "subscription", "refund")
fixture_file = FIXTURES / "stripe" / "fixtures3.json"


def test_stripe_fixture_objects_land_whole_from_api_pages_and_webhooks(warehouse, webhook_secret):
    resources = json.loads(need_fixture(fixture_file).read_text())["resources"]
    landing = get_settings().landing_dir / "stripe"
    for name in RESOURCES:
        page = {"object": "list", "url": f"/v1/{name}s", "has_more": False, "data": [resources[name]]}
        path = landing / "api" / "2026-01-31" / f"{name}s" / "page_0001.json"
        path.parent.mkdir(parents=True)
        path.write_bytes(orjson.dumps(page))
    deliveries = []
    for i, name in enumerate(RESOURCES):
        event = {**resources["event"], "id": f"evt_fixture_{i}", "type": f"{name}.updated", "data": {"object": resources[name]}}
        body = json.dumps(event)
        deliveries.append(orjson.dumps({"received_at": 1_700_000_000, "stripe_signature": sign(body, webhook_secret, 1_700_000_000), "body": body}))
    (landing / "webhooks").mkdir(parents=True)
    (landing / "webhooks" / "2026-01-31.jsonl").write_bytes(b"\n".join(deliveries) + b"\n")

    con = connect_writer(get_settings())
    summary = ingest_family(con, get_settings().landing_dir, SourceFamily.STRIPE, "fixture-run", webhook_secret=webhook_secret)
    assert summary.records_quarantined == 0, con.sql("SELECT reason FROM quarantine.records").fetchall()
    stored = dict(con.sql("SELECT object_type, object_json FROM raw.stripe_objects").fetchall())
    assert set(stored) == set(RESOURCES)
    for name in RESOURCES:
        assert json.loads(stored[name]) == resources[name]  # nothing dropped, nulls and nesting kept
    events = con.sql("SELECT object_type, event_json FROM raw.stripe_events ORDER BY event_id").fetchall()
    assert [t for t, _ in events] == list(RESOURCES)
    assert all(json.loads(body)["data"]["object"] == resources[t] for t, body in events)
