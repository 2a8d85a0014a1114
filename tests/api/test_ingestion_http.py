"""Data pushed over HTTP: Stripe's webhook and ATS event batches are landed durably and ingested exactly once."""
from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path

import duckdb
import httpx
import orjson

from access.api_keys import create_key
from foundation.settings import get_settings
from ingest.stripe import verify_delivery
from orchestration.runs import resolve_selection, run_pipeline
from sample_data.stripe_data import sign
from tests.api.server import serving, start

WEBHOOK = "/api/payments/stripe/webhook"


def stripe_bodies(landing: Path, secret: str, n: int) -> list[dict]:
    """Authentic customer events from the generated webhook deliveries, given new ids (so they are new to the warehouse).

    Customers name nothing else: into an empty warehouse, an event about a charge or invoice would rightly be held
    until its customer arrives (unknown_reference), and these tests are about landing and ingesting once.
    """
    bodies = []
    for f in sorted((landing / "stripe" / "webhooks").glob("*.jsonl")):
        for line in f.read_bytes().splitlines():
            try:
                d = orjson.loads(line)
            except orjson.JSONDecodeError:
                continue  # the generator's torn deliveries
            if verify_delivery(d["body"], d["stripe_signature"], secret, d["received_at"]) is None:
                body = orjson.loads(d["body"])
                if body.get("data", {}).get("object", {}).get("object") != "customer":
                    continue
                bodies.append({**body, "id": f"evt_http{len(bodies):05d}"})
                if len(bodies) == n:
                    return bodies
    return bodies


def ats_events(landing: Path, n: int, prefix: str = "evt_http") -> list[dict]:
    """Real generated ATS events under new ids."""
    lines = [line for f in sorted((landing / "ats_events").glob("*.jsonl"))[10:] for line in f.read_bytes().splitlines()][:n]
    assert len(lines) == n
    return [{**orjson.loads(line), "event_id": f"{prefix}_{i:06d}"} for i, line in enumerate(lines)]


def signed_headers(text: str, secret: str, at: int | None = None) -> dict:
    return {"Stripe-Signature": sign(text, secret, at or int(time.time())), "Content-Type": "application/json"}


def raw_ids(warehouse: Path, table: str, column: str, prefix: str) -> list[str]:
    with duckdb.connect(str(warehouse / "lakehouse.duckdb"), read_only=True) as con:
        return [r for (r,) in con.sql(f"SELECT {column} FROM raw.{table} WHERE {column} LIKE $p ORDER BY 1",
                                      params={"p": prefix + "%"}).fetchall()]


def test_the_webhook_checks_signatures_lands_once_and_ingests_once(warehouse, generated, webhook_secret, api_as):
    landing, _ = generated
    client = api_as(None)
    bodies = stripe_bodies(landing, webhook_secret, 3)
    for body in bodies:
        text = json.dumps(body)
        first = client.post(WEBHOOK, content=text, headers=signed_headers(text, webhook_secret))
        assert first.status_code == 200 and first.json() == {"received": True, "event_id": body["id"], "duplicate": False}
        again = client.post(WEBHOOK, content=text, headers=signed_headers(text, webhook_secret))  # Stripe retries
        assert again.status_code == 200 and again.json()["duplicate"] is True
    landed = sorted((get_settings().landing_dir / "stripe" / "webhooks" / "http").rglob("*.jsonl"))
    assert [p.stem for p in landed] == sorted(b["id"] for b in bodies)

    text = json.dumps({**bodies[0], "id": "evt_tampered"})
    tampered = client.post(WEBHOOK, content=text, headers=signed_headers(json.dumps(bodies[0]), webhook_secret))
    assert tampered.status_code == 400 and "does not match the body" in tampered.json()["detail"]
    stale = client.post(WEBHOOK, content=text, headers=signed_headers(text, webhook_secret, int(time.time()) - 3600))
    assert stale.status_code == 400 and "replayed request is not trusted" in stale.json()["detail"]
    wrong_secret = client.post(WEBHOOK, content=text, headers=signed_headers(text, "whsec_" + "0" * 48))
    assert wrong_secret.status_code == 400
    unsigned = client.post(WEBHOOK, content=text)
    assert unsigned.status_code == 400 and "Stripe-Signature" in unsigned.json()["detail"]
    assert len(list((get_settings().landing_dir / "stripe").rglob("*.jsonl"))) == len(bodies)  # nothing else landed

    assert run_pipeline(resolve_selection(["raw/stripe"])).success
    assert raw_ids(warehouse, "stripe_events", "event_id", "evt_http") == sorted(b["id"] for b in bodies)


def test_event_batches_land_the_valid_events_and_say_why_the_rest_were_refused(warehouse, generated, api_as):
    landing, _ = generated
    service = api_as("service")
    good = ats_events(landing, 4)
    bad_date = {**good[0], "event_id": "evt_bad_date", "occurred_at": "2026-02-30T10:00:00-06:00"}
    no_zone = {**good[0], "event_id": "evt_no_zone", "occurred_at": "2026-02-03T10:00:00"}
    unknown_bu = {**good[0], "event_id": "evt_bad_bu", "business_unit": "huntred_tech"}
    batch = [good[0], bad_date, good[1], no_zone, good[2], unknown_bu, good[3], good[0]]
    result = service.post("/api/events/", json=batch)
    assert result.status_code == 202, result.text
    body = result.json()
    assert body["accepted"] == 4
    reasons = {r["index"]: r["reason"] for r in body["rejected"]}
    assert set(reasons) == {1, 3, 5, 7}
    assert "occurred_at" in reasons[1] and "occurred_at" in reasons[3] and "business_unit" in reasons[5]
    assert "appears earlier in this batch" in reasons[7]
    landed = get_settings().landing_dir / body["landed_file"]
    assert [orjson.loads(l)["event_id"] for l in landed.read_bytes().splitlines()] == [e["event_id"] for e in good]

    retry = service.post("/api/events/", json=good)  # the client did not see the answer and sends the batch again
    assert retry.status_code == 202
    assert run_pipeline(resolve_selection(["raw/ats_events"])).success
    assert raw_ids(warehouse, "ats_events", "event_id", "evt_http") == sorted(e["event_id"] for e in good)


def test_every_acknowledged_event_survives_the_server_being_killed(warehouse, generated, webhook_secret):
    landing, _ = generated
    token, _ = create_key(get_settings().api_keys_path, "service", rate_per_minute=1_000_000)
    events = ats_events(landing, 400, prefix="evt_kill")
    bodies = stripe_bodies(landing, webhook_secret, 200)
    acked: list[str] = []
    errors: list[str] = []
    proc, url = start(warehouse)

    def push() -> None:
        with httpx.Client(base_url=url, timeout=5) as http:
            for i, event in enumerate(events):
                try:
                    r = http.post("/api/events/", json=[event], headers={"X-API-Key": token})
                    if r.status_code == 202:
                        acked.append(event["event_id"])
                    if i < len(bodies):
                        text = json.dumps(bodies[i])
                        r = http.post(WEBHOOK, content=text, headers=signed_headers(text, webhook_secret))
                        if r.status_code == 200:
                            acked.append(bodies[i]["id"])
                except httpx.HTTPError as exc:
                    errors.append(str(exc))
                    return

    pusher = threading.Thread(target=push)
    pusher.start()
    while len(acked) < 40 and pusher.is_alive():
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)  # mid-stream, no shutdown
    pusher.join(timeout=30)
    proc.wait(timeout=10)
    assert len(acked) >= 40 and errors, "the server was killed while requests were flowing"
    found = set()
    for f in get_settings().landing_dir.rglob("*.jsonl"):
        for line in f.read_bytes().splitlines():
            record = orjson.loads(line)
            found.add(record.get("event_id") or orjson.loads(record["body"])["id"])
    assert set(acked) <= found


def test_a_server_killed_after_landing_but_before_answering_loses_nothing_and_duplicates_nothing(warehouse, generated):
    landing, _ = generated
    token, _ = create_key(get_settings().api_keys_path, "service")
    events = ats_events(landing, 5, prefix="evt_fault")
    with serving(warehouse, HUNTRED_FAULT="events:after_land") as (proc, url):
        try:
            httpx.post(url + "/api/events/", json=events, headers={"X-API-Key": token}, timeout=10)
            raise AssertionError("the fault point should have killed the server before it answered")
        except httpx.HTTPError:
            pass
        proc.wait(timeout=10)
    assert len(list((get_settings().landing_dir / "ats_events" / "http").rglob("*.jsonl"))) == 1
    with serving(warehouse) as (_, url):  # the client retries against the restarted server
        assert httpx.post(url + "/api/events/", json=events, headers={"X-API-Key": token}, timeout=10).status_code == 202
    assert run_pipeline(resolve_selection(["raw/ats_events"])).success
    assert raw_ids(warehouse, "ats_events", "event_id", "evt_fault") == sorted(e["event_id"] for e in events)
