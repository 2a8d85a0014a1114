"""Issue 10: one bad request never stops the API, leaks a key, or lands what it should not.

Each test is named after a failure that was found; it failed before the fix. They call the
real app (TestClient, httpx over ASGI with a streamed body, or a real uvicorn process).
"""
from __future__ import annotations

import asyncio
import json
import logging
import secrets
import time
from typing import Any

import httpx
import orjson
import pytest
from fastapi.testclient import TestClient

from access.api_keys import create_key
from api.main import MAX_BODY_BYTES, app
from foundation.settings import get_settings
from ingest.stripe import parse_webhook_file
from models.stripe import WEBHOOK_TOLERANCE_SECONDS
from sample_data.stripe_data import sign
from tests.api.server import serving

WEBHOOK = "/api/payments/stripe/webhook"
CHUNK = 64 * 1024


def landed_files() -> list[str]:
    root = get_settings().landing_dir
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def event_text(event_id: str = "evt_hardening", created: Any = None, **fields) -> str:
    return json.dumps({"id": event_id, "object": "event", "type": "invoice.paid",
                       "created": int(time.time()) - 60 if created is None else created, "api_version": None,
                       "data": {"object": {"id": "in_1", "object": "invoice", "customer": "cus_1", "currency": "mxn",
                                           "amount_due": 100, "amount_paid": 100, "status": "paid", "created": 1_760_000_000}},
                       **fields})


def post_signed(client: TestClient, text: str, secret: str, at: int | None = None) -> httpx.Response:
    return client.post(WEBHOOK, content=text, headers={"Stripe-Signature": sign(text, secret, at or int(time.time())),
                                                       "Content-Type": "application/json"})


def openapi() -> dict:
    return TestClient(app).get("/openapi.json").json()


# --- 4. webhook replay ------------------------------------------------------------------------------------------


def test_a_replayed_signature_behind_a_fresh_decoy_timestamp_is_refused(warehouse, webhook_secret, api_as):
    client, now = api_as(None), int(time.time())
    text = event_text("evt_replayed")
    captured = sign(text, webhook_secret, now - 3600)  # a real signature, an hour old
    for header in (f"x=t={now},{captured}", f"{captured},t={now}", f"t ={now},{captured}"):
        replayed = client.post(WEBHOOK, content=text, headers={"Stripe-Signature": header})
        assert replayed.status_code == 400, (header, replayed.text)
        assert "replayed request is not trusted" in replayed.json()["detail"], header
    assert landed_files() == []


def test_a_signature_stamped_in_the_future_beyond_the_tolerance_is_refused(warehouse, webhook_secret, api_as):
    client, now = api_as(None), int(time.time())
    text = event_text("evt_future")
    ahead = post_signed(client, text, webhook_secret, now + 3600)
    assert ahead.status_code == 400 and "replayed request is not trusted" in ahead.json()["detail"]
    assert post_signed(client, text, webhook_secret, now + 60).status_code == 200  # clock skew within the tolerance


def test_the_webhook_takes_signatures_just_within_the_tolerance_either_side_and_refuses_those_beyond(
        warehouse, webhook_secret, api_as):
    # the route stamps its own arrival time a moment after `now`: a margin of seconds either side of the boundary
    client, now, margin = api_as(None), int(time.time()), 5
    for i, offset in enumerate((-WEBHOOK_TOLERANCE_SECONDS + margin, WEBHOOK_TOLERANCE_SECONDS - margin)):
        inside = post_signed(client, event_text(f"evt_tolerance_{i}"), webhook_secret, now + offset)
        assert inside.status_code == 200 and inside.json()["duplicate"] is False, (offset, inside.text)
    for offset in (-WEBHOOK_TOLERANCE_SECONDS - margin, WEBHOOK_TOLERANCE_SECONDS + margin):
        beyond = post_signed(client, event_text("evt_tolerance_beyond"), webhook_secret, now + offset)
        assert beyond.status_code == 400 and "replayed request is not trusted" in beyond.json()["detail"], offset
    forged = post_signed(client, event_text("evt_tolerance_forged"), "whsec_not_ours")
    assert forged.status_code == 400 and "does not match the body" in forged.json()["detail"]
    assert len(landed_files()) == 2


def test_a_landed_delivery_with_a_decoy_timestamp_is_quarantined_at_ingestion(webhook_secret):
    text = event_text("evt_landed_replay", created=1_760_000_000)
    decoy = f"x=t=1760010000,{sign(text, webhook_secret, 1_760_000_000)}"
    lines = [orjson.dumps({"received_at": 1_760_010_000, "stripe_signature": decoy, "body": text}),
             orjson.dumps({"received_at": 1_760_000_000, "stripe_signature": decoy, "body": text})]
    parsed = parse_webhook_file(b"\n".join(lines), webhook_secret)
    assert [r.reason_code for r in parsed.rejected] == ["bad_signature"]
    assert "replayed request" in parsed.rejected[0].reason
    assert parsed.good["stripe_events"]["event_id"].to_list() == ["evt_landed_replay"]  # the same header, on time


# --- 5. body limits -----------------------------------------------------------------------------------------------


class CountedBody:
    """A chunked request body (no Content-Length) that counts how much of it the server pulled."""

    def __init__(self, head: bytes, total: int, tail: bytes = b"") -> None:
        self.head, self.total, self.tail, self.pulled = head, total, tail, 0

    async def __aiter__(self):
        self.pulled += len(self.head)
        yield self.head
        while self.pulled < self.total:
            self.pulled += CHUNK
            yield b" " * CHUNK
        yield self.tail


def post_streamed(path: str, body: CountedBody, headers: dict[str, str]) -> httpx.Response:
    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, client=("192.0.2.50", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            return await http.post(path, content=body, headers={"Content-Type": "application/json", **headers})

    return asyncio.run(send())


def an_event() -> dict:
    return {"event_id": "evt_chunked_000001", "event_type": "gamification.points_awarded",
            "occurred_at": "2026-11-26T10:15:00-06:00", "business_unit": "huntu", "candidate_id": "cand_0000005",
            "campaign_id": None, "payload": {"points": 50, "action": "profile_completed"}}


def test_a_chunked_body_over_the_limit_is_refused_with_413_as_soon_as_it_passes_the_limit(warehouse, api_as):
    token, _ = create_key(get_settings().api_keys_path, "service")
    body = CountedBody(b"[" + orjson.dumps(an_event()), 100 * 2**20, b"]")  # 100 MB: one event padded with spaces
    response = post_streamed("/api/events/", body, {"X-API-Key": token})
    assert response.status_code == 413, response.text[:300]
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "at most 10 MB" in response.json()["detail"]
    assert body.pulled <= MAX_BODY_BYTES + CHUNK  # stopped at the limit, not after reading everything
    assert landed_files() == []


def test_a_chunked_webhook_over_its_limit_is_refused_with_413_before_it_is_read_whole(warehouse):
    body = CountedBody(b'{"id": "evt_big", "pad": "', 5 * 2**20)
    response = post_streamed(WEBHOOK, body, {"Stripe-Signature": "t=1,v1=00"})
    assert response.status_code == 413 and "512 KB" in response.json()["detail"]
    assert body.pulled <= 512 * 1024 + CHUNK


def test_a_post_without_a_valid_key_gets_401_before_its_body_is_read(warehouse):
    doc = openapi()
    posts = [path for path, ops in doc["paths"].items() if "post" in ops and ops["post"].get("security")]
    assert "/api/events/" in posts and len(posts) >= 4
    for path in posts:
        for headers in ({}, {"X-API-Key": "hr_0123456789ab_" + "A" * 43}):
            body = CountedBody(b"[", 8 * 2**20)  # under the size limit: only the missing key can refuse it
            response = post_streamed(path, body, headers)
            assert response.status_code == 401, (path, response.status_code, response.text[:200])
            assert body.pulled <= CHUNK, (path, body.pulled)


def test_a_real_server_refuses_a_chunked_100_mb_body_and_lands_nothing(warehouse):
    token, _ = create_key(get_settings().api_keys_path, "service")
    sent = 0

    def chunks():
        nonlocal sent
        yield b"[" + orjson.dumps(an_event())
        while sent < 100 * 2**20:
            sent += 2**20
            yield b" " * 2**20
        yield b"]"

    with serving(warehouse) as (_, url):
        try:
            response = httpx.post(url + "/api/events/", content=chunks(), timeout=60,
                                  headers={"X-API-Key": token, "Content-Type": "application/json"})
            assert response.status_code == 413, response.text[:300]
        except httpx.HTTPError:
            pass  # the server may close the connection on a client still sending; either way nothing lands
        assert httpx.get(url + "/health", timeout=5).status_code == 200
    assert landed_files() == []


# --- 9. unknown keys, audit size, keys in logs --------------------------------------------------------------------


def test_unknown_keys_are_rate_limited_per_client_address_with_retry_after(warehouse, api_as):
    from api.security import FAILED_AUTH_PER_MINUTE

    guesser = TestClient(app, client=("198.51.100.7", 50000), headers={"X-API-Key": "hr_0123456789ab_" + "B" * 43})
    statuses = [guesser.get("/api/status/sources/").status_code for _ in range(FAILED_AUTH_PER_MINUTE)]
    assert statuses == [401] * FAILED_AUTH_PER_MINUTE
    limited = guesser.get("/api/status/sources/")
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    assert "without a valid API key" in limited.json()["detail"]
    assert TestClient(app, client=("198.51.100.7", 50000)).get("/api/status/sources/").status_code == 429  # no key: same
    assert TestClient(app, client=("198.51.100.8", 50000)).get("/api/status/sources/").status_code == 401  # another address
    token, _ = create_key(get_settings().api_keys_path, "analyst")
    valid = TestClient(app, client=("198.51.100.7", 50000), headers={"X-API-Key": token}).get("/api/status/sources/")
    assert valid.status_code == 503  # a valid key from that address is still served (no snapshot yet)
    before = len(audit_lines())
    for _ in range(20):
        guesser.get("/api/status/sources/")
    assert len(audit_lines()) == before  # refused guesses are not written to the audit log


def audit_lines() -> list[bytes]:
    folder = get_settings().audit_dir
    return [line for f in sorted(folder.glob("audit-*.jsonl")) for line in f.read_bytes().splitlines()] if folder.exists() else []


def test_a_401_with_a_long_query_string_writes_a_small_audit_line(warehouse, api_as):
    params = {f"p{i}": "x" * 500 for i in range(60)} | {"search": "é" * 3000}
    assert api_as(None).get("/api/publish/campaigns/", params=params).status_code == 401
    line = audit_lines()[-1]
    assert len(line) <= 2048, len(line)
    record = orjson.loads(line)
    assert record["status"] == 401 and record["resource"] == "/api/publish/campaigns/"
    assert all(len(v) <= 101 for v in record["params"].values())


@pytest.mark.parametrize("name", ["api_key", "key", "X-API-Key", "apikey", "access_token"])
def test_a_key_in_the_query_string_is_refused_and_never_logged(warehouse, name):
    token, _ = create_key(get_settings().api_keys_path, "admin")
    for url in ("/api/status/sources/", "/health", "/api/no-such-endpoint"):
        response = TestClient(app).get(url, params={name: token})
        assert response.status_code == 400, (url, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert "X-API-Key header" in response.json()["detail"] and token not in response.text
    assert not any(token.encode() in line or token.split("_", 2)[2].encode() in line for line in audit_lines())


SECRETS = {
    "api key": "hr_0123456789ab_" + "Zq9" * 14 + "x",
    "stripe key": "sk_live_" + "51HxQ2aB3cD4eF5gH6iJ7kL8",
    "webhook secret": "whsec_" + secrets.token_hex(24),
    "hex secret": secrets.token_hex(32),
    "base64 secret": "Tq4" + secrets.token_urlsafe(32).replace("-", "a").replace("_", "B") + "9",
}


def test_no_key_or_secret_is_written_to_the_audit_log(warehouse, api_as, caplog):
    caplog.set_level(logging.INFO)
    valid, _ = create_key(get_settings().api_keys_path, "analyst")
    client = TestClient(app, client=("192.0.2.77", 50000))  # its own failed-attempt budget
    for name, secret in {**SECRETS, "valid key": valid}.items():
        client.get("/api/publish/campaigns/", params={"search": f"a {secret} b"})  # 401, audited
        client.get(f"/api/publish/campaigns/{secret}/metrics/")  # 401, audited with its path
        client.get("/api/publish/campaigns/", params={"search": secret}, headers={"X-API-Key": secret})
        TestClient(app, headers={"X-API-Key": valid}).get("/api/status/sources/", params={"note": secret})  # 503, audited
        logging.getLogger("huntred.api").warning("a caller sent %s in %s", secret, f"/x?token={secret}")
    written = b"\n".join(audit_lines())
    assert b"/api/publish/campaigns/" in written and b"[redacted]" in written
    for name, secret in {**SECRETS, "valid key": valid}.items():
        assert secret.encode() not in written, name
        assert secret[-20:].encode() not in written, name
        assert secret not in caplog.text and secret[-20:] not in caplog.text, name


def test_the_server_log_never_shows_a_key(warehouse):
    valid, _ = create_key(get_settings().api_keys_path, "analyst")
    with serving(warehouse, log_level="info") as (proc, url):
        with httpx.Client(base_url=url, timeout=10) as http:
            for secret in (*SECRETS.values(), valid):
                http.get("/api/status/sources/", params={"api_key": secret})
                http.get(f"/api/publish/campaigns/{secret}/")
                http.get("/api/publish/campaigns/", params={"search": secret}, headers={"X-API-Key": valid})
        proc.terminate()
        log = proc.stdout.read().decode() + proc.stderr.read().decode()
    assert "GET /api/status/sources/?api_key=" in log  # the access log is on
    for secret in (*SECRETS.values(), valid):
        assert secret not in log and secret[-20:] not in log, secret


# --- 12. 5xx from bodies ------------------------------------------------------------------------------------------


def poisoned(value: Any) -> Any:
    """The value with a lone surrogate in every string (keys too)."""
    if isinstance(value, dict):
        return {poisoned(k): poisoned(v) for k, v in value.items()}
    if isinstance(value, list):
        return [poisoned(v) for v in value]
    return value + "\ud800" if isinstance(value, str) else value


def example_bodies(doc: dict) -> dict[str, Any]:
    """The documented example body of every keyed JSON operation, by path."""
    bodies = {}
    for path, ops in doc["paths"].items():
        for op in ops.values():
            content = op.get("requestBody", {}).get("content", {}).get("application/json")
            if not content or not op.get("security"):
                continue
            schema = content["schema"]
            if "$ref" in schema:
                schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
            examples = [content.get("example")] + [e["value"] for e in content.get("examples", {}).values()] + schema.get("examples", [])
            bodies[path] = next(e for e in examples if e is not None)
    return bodies


def test_a_lone_surrogate_anywhere_in_a_json_body_gets_400_not_500(on_built, api_as):
    admin = api_as("admin")
    bodies = example_bodies(openapi())
    assert {"/api/events/", "/api/aura/segment/", "/api/aura/score/"} <= set(bodies)
    cases = [(path, poisoned(example)) for path, example in bodies.items()]
    cases.append(("/api/aura/segment/", {"name": "x", "rules": {"skills": ["\ud800"]}}))  # as reported
    for path, body in cases:
        response = admin.post(path, content=json.dumps(body), headers={"Content-Type": "application/json"})
        assert response.status_code == 400, (path, response.status_code, response.text[:300])
        assert response.json()["title"] == "Malformed JSON" and "surrogate" in response.json()["detail"], path


def test_a_lone_surrogate_does_not_cost_the_client_its_connection(warehouse):
    token, _ = create_key(get_settings().api_keys_path, "service")
    body = json.dumps([{**an_event(), "event_id": "evt_\ud800"}])  # echoed back in the reasons: a 500, connection closed
    with serving(warehouse) as (_, url):
        with httpx.Client(base_url=url, timeout=10, headers={"X-API-Key": token}) as http:
            bad = http.post("/api/events/", content=body, headers={"Content-Type": "application/json"})
            assert bad.status_code == 400 and bad.headers.get("connection") != "close", (bad.status_code, bad.headers)
            assert http.get("/health").status_code == 200
    assert landed_files() == []


NOT_EVENTS = ["[]", "[{}]", '"evt_1"', "1", "null", "true", "{}", '{"id": "evt_1"}',
              event_text("evt_data_list", data=[]), event_text("evt_object_list", object="list"),
              event_text("../../../etc/passwd"), event_text("evt_\ud800"), '{"id": "evt_x", "object": "event", "type": "\\ud800"}']


@pytest.mark.parametrize("text", NOT_EVENTS, ids=[str(i) for i in range(len(NOT_EVENTS))])
def test_a_signed_body_that_is_not_an_event_object_gets_400(warehouse, webhook_secret, api_as, text):
    response = post_signed(api_as(None), text, webhook_secret)
    assert response.status_code == 400, response.text[:300]
    assert response.headers["content-type"].startswith("application/problem+json")
    assert len(response.json()["detail"]) > 20
    assert landed_files() == []


IMPLAUSIBLE_CREATED = ["1e12", "1000000000000", "-1", "0", "946684799", "1.5", '"1760000000"', "true", "null",
                       "18446744073709551616", "1e400", "1760000000.0", "{}"]


@pytest.mark.parametrize("created", IMPLAUSIBLE_CREATED)
def test_a_signed_event_with_an_implausible_created_gets_400_at_the_door(warehouse, webhook_secret, api_as, created):
    text = event_text("evt_when", created=1_111_111_111).replace('"created": 1111111111', f'"created": {created}')
    assert f'"created": {created}' in text
    response = post_signed(api_as(None), text, webhook_secret)
    assert response.status_code == 400, response.text[:300]
    assert "created" in response.json()["detail"]
    assert landed_files() == []


def test_signed_events_created_in_the_plausible_window_are_accepted(warehouse, webhook_secret, api_as):
    client, now = api_as(None), int(time.time())
    for i, created in enumerate((946_684_800, 1_234_567_890, now, now + 86_000)):
        assert post_signed(client, event_text(f"evt_window{i}", created=created), webhook_secret).status_code == 200, created
    ahead = post_signed(client, event_text("evt_window_ahead", created=now + 2 * 86_400), webhook_secret)
    assert ahead.status_code == 400 and "more than a day" in ahead.json()["detail"]


def test_a_landed_event_with_an_implausible_created_is_quarantined_not_a_crash(webhook_secret):
    lines = [orjson.dumps({"received_at": 1_760_000_000, "stripe_signature": sign(text, webhook_secret, 1_760_000_000),
                           "body": text})
             for text in (event_text("evt_huge", created=10**12), event_text("evt_float", created=1.7e9),
                          event_text("evt_ok", created=1_759_999_000))]
    parsed = parse_webhook_file(b"\n".join(lines), webhook_secret)
    assert parsed.good["stripe_events"]["event_id"].to_list() == ["evt_ok"]
    assert [r.reason_code for r in parsed.rejected] == ["invalid_value", "invalid_value"]


# --- 13. documented statuses --------------------------------------------------------------------------------------


def test_a_webhook_without_a_stripe_signature_gets_400(warehouse, api_as):
    text = event_text("evt_unsigned")
    for headers in ({}, {"Stripe-Signature": ""}, {"Stripe-Signature": "t=1," + "v1=ab," * 400}):
        response = api_as(None).post(WEBHOOK, content=text, headers=headers)
        assert response.status_code == 400, response.text
        assert "Stripe-Signature" in response.json()["detail"]
    documented = next(p for p in openapi()["paths"][WEBHOOK]["post"]["parameters"] if p["name"] == "Stripe-Signature")
    assert documented["in"] == "header" and documented["required"] is True
    assert landed_files() == []


def test_every_endpoint_taking_a_business_unit_refuses_another_one_to_a_bu_manager(on_built, api_as):
    manager = api_as("bu_manager", bu="amigro")
    checked, scoped = [], []
    for path, ops in openapi()["paths"].items():
        op = ops.get("get")
        names = {p["name"]: p for p in (op or {}).get("parameters", []) if p["in"] == "query"}
        bu_name = next((n for n in ("business_unit", "bu") if n in names), None)
        if bu_name is None:
            continue
        required = {"from": "2026-01-01", "to": "2026-01-31"}
        params = {n: v for n, v in required.items() if names.get(n, {}).get("required")}
        other = manager.get(path, params={**params, bu_name: "huntu"})
        assert other.status_code == 403, (path, other.status_code, other.text[:200])
        checked.append(path)
        if "covers amigro only" in other.json()["detail"]:
            scoped.append(path)
            assert manager.get(path, params={**params, bu_name: "amigro"}).status_code == 200, path
        else:
            assert "may not use this endpoint" in other.json()["detail"], path
    assert "/api/publish/campaigns/" in scoped and len(checked) >= 8 and len(scoped) >= 5, (checked, scoped)
