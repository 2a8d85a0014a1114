"""Every JSON shape Stripe's API, CLI and dashboard give is read, for every object type; only damage is refused.

The objects are Stripe's own (``fixtures3.json`` of stripe/openapi, MIT, in ``shared/fixtures/stripe``): what a
user's export holds, not what our generator writes.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone

import orjson
import pytest

from ingest.stripe import EVENTS, OBJECTS, looks_like_webhook_deliveries, parse_stripe_json
from models.enums import QuarantineReason as R
from tests.conftest import FIXTURES, need_fixture

#: The types the issue names (and the marts may one day read); each is a resource of fixtures3.json.
TYPES = ("customer", "charge", "invoice", "subscription", "refund", "payment_intent", "dispute", "balance_transaction",
         "plan", "price", "product", "credit_note", "checkout.session")
NOW = datetime(2026, 12, 2, 12, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def resources() -> dict[str, dict]:
    return json.loads(need_fixture(FIXTURES / "stripe" / "fixtures3.json").read_text())["resources"]


def parse(document, path: str = "stripe/api/2026-11-30/export.json"):
    data = document if isinstance(document, bytes) else orjson.dumps(document)
    return parse_stripe_json(data, path, NOW)


def landed(parsed, table: str) -> list[dict]:
    return parsed.good[table].to_dicts()


@pytest.mark.parametrize("kind", TYPES)
def test_one_object_of_each_type_lands_whole_as_the_api_returns_it(resources, kind):
    parsed = parse(resources[kind])
    assert parsed.rejected == [] and parsed.records_read == 1
    (row,) = landed(parsed, OBJECTS)
    assert row["object_type"] == resources[kind]["object"] and row["object_id"] == resources[kind]["id"]
    assert json.loads(row["object_json"]) == resources[kind]  # nothing dropped, nulls and nesting kept
    assert row["observed_at"].startswith("2026-11-30T23:59:59")  # the export's day, Mexico City's end of it


def test_an_array_a_list_page_and_json_lines_hold_the_same_objects(resources):
    objects = [resources[k] for k in TYPES]
    shapes = {
        "array": orjson.dumps(objects),
        "list page": orjson.dumps({"object": "list", "url": "/v1/x", "has_more": False, "data": objects}),
        "json lines": b"\n".join(orjson.dumps(o) for o in objects) + b"\n",
        # what `stripe get` and `stripe listen --print-json` print: indented documents one after another
        "indented stream": "\n".join(json.dumps(o, indent=2) for o in objects).encode(),
    }
    for shape, data in shapes.items():
        parsed = parse(data)
        assert parsed.rejected == [], shape
        rows = landed(parsed, OBJECTS)
        assert [(r["object_type"], r["object_id"]) for r in rows] == [(o["object"], o["id"]) for o in objects], shape
        assert [r["_record_number"] for r in rows] == list(range(1, len(objects) + 1)), shape


def test_events_from_the_api_or_the_cli_land_as_events_without_a_signature(resources):
    events = [{**resources["event"], "id": f"evt_{i}", "type": f"{k}.updated", "data": {"object": resources[k]}}
              for i, k in enumerate(TYPES)]
    for data in (orjson.dumps(events[0]), orjson.dumps({"object": "list", "data": events}),
                 "\n".join(json.dumps(e, indent=2) for e in events).encode()):
        parsed = parse(data)
        assert parsed.rejected == []
        rows = landed(parsed, EVENTS)
        assert landed(parsed, OBJECTS) == []
        assert {r["event_id"] for r in rows} <= {e["id"] for e in events} and rows
        for r in rows:
            event = json.loads(r["event_json"])
            assert r["object_type"] == event["data"]["object"]["object"] and r["received_at"] is None


def test_deleted_stubs_and_resources_without_an_id_land_too(resources):
    parsed = parse([resources["deleted_customer"], resources["deleted_product"], resources["balance"]])
    assert parsed.rejected == []
    rows = {r["object_type"]: r for r in landed(parsed, OBJECTS)}
    assert rows["customer"]["object_id"] == resources["deleted_customer"]["id"] and rows["customer"]["created_at"] is None
    # one balance per account and no id: a content id, so the same snapshot sent twice is still one row
    again = landed(parse([resources["balance"]]), OBJECTS)[0]
    assert rows["balance"]["object_id"] == again["object_id"] and rows["balance"]["object_id"].startswith("balance:")


@pytest.mark.parametrize("data, code, says", [
    (b"", None, None),
    (b"{not json", R.MALFORMED, "expected one Stripe object"),
    (b'{"id": "x"}', R.MALFORMED, "without 'object'"),
    (b'"a string"', R.MALFORMED, "JSON str"),
    (b'{"object": "list", "data": 3}', R.MALFORMED, "list page"),
    (b'[{"id": "ch_1"}]', R.MISSING_FIELD, "'object'"),
    (b'[3]', R.MISSING_FIELD, "'object'"),
    (b'{"object": "charge", "id": "ch_1", "created": "yesterday"}', R.INVALID_VALUE, "Unix seconds"),
    (b'{"object": "product", "id": "prod_1", "created": 99}', R.INVALID_VALUE, "before 2000"),
    (b'{"object": "charge", "id": "ch_1", "created": 1721948530}', R.MISSING_FIELD, "amount"),
    (b'{"object": "event", "id": "evt_1", "created": 1721948530, "type": "x.y"}', R.MISSING_FIELD, "data"),
])
def test_only_damage_is_refused_and_the_reason_says_what_was_expected(data, code, says):
    parsed = parse(data)
    if code is None:
        assert parsed.records_read == 0 and parsed.rejected == []
        return
    assert parsed.records_read == 1 and len(parsed.rejected) == 1
    (rejected,) = parsed.rejected
    assert rejected.reason_code == code and says in rejected.reason, rejected.reason


def test_a_file_cut_short_keeps_what_came_before_and_quarantines_the_rest(resources):
    whole = "\n".join(json.dumps(resources[k], indent=2) for k in ("customer", "charge", "invoice")).encode()
    cut = whole[: len(whole) - 40]
    parsed = parse(cut)
    assert [r["object_type"] for r in landed(parsed, OBJECTS)] == ["customer", "charge"]
    (rejected,) = parsed.rejected
    assert rejected.reason_code == R.MALFORMED and rejected.record_number == 3 and "line" in rejected.reason
    assert parsed.records_read == 3  # every record read ends in raw or quarantine


def test_json_lines_of_signed_deliveries_are_told_from_json_lines_of_events(resources):
    delivery = orjson.dumps({"received_at": 1, "stripe_signature": "t=1,v1=x", "body": "{}"})
    assert looks_like_webhook_deliveries(b"\n" + delivery + b"\n")
    assert not looks_like_webhook_deliveries(orjson.dumps(resources["event"]) + b"\n")
    assert not looks_like_webhook_deliveries(b"not json at all")
