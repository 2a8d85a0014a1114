"""Bad input gets a 4xx with a sentence, never a 5xx, and changes no data.

Two sources of bad input: schemathesis generates requests from the OpenAPI document
(valid ones, checked against the documented statuses and response schemas, and
invalid ones), and a hand-written corpus covers what attackers and broken clients
actually send: malformed JSON, oversized bodies, wrong types, SQL and script
injection in every text field and filter, impossible dates and currencies, lone surrogates,
keys in URLs, and signed webhooks whose body is not a plausible event.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import time
from pathlib import Path
from urllib.parse import quote

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from access.api_keys import create_key
from api.main import app
from foundation.settings import get_settings
from foundation.warehouse import writer_lock
from sample_data.stripe_data import sign
from tests.conftest import point_at

EXAMPLES = 30  # per operation and mode: bounded so the suite stays fast
SCHEMA = schemathesis.openapi.from_asgi("/openapi.json", app)
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]

INJECTIONS = ["' OR '1'='1", "1; DROP TABLE marts.mart_campaign_summary; --", "<script>alert(1)</script>",
              "\"><img src=x onerror=alert(1)>", "../../../../etc/passwd", "${jndi:ldap://127.0.0.1/x}", "nul\x00byte",
              "cmp_00001' UNION SELECT * FROM staging.stg_stripe__customers --", "ñ" * 200, "\u202etxt.exe"]


@pytest.fixture
def built_copy(built_lakehouse, tmp_path) -> Path:
    """A private copy of the sample lakehouse (requests may land files in it)."""
    target = tmp_path / "warehouse"
    shutil.copytree(built_lakehouse[0], target, ignore=shutil.ignore_patterns("dagster", "logs", "audit", "api_keys.json"))
    point_at(target)
    return target


def fingerprint(warehouse: Path) -> dict[str, str]:
    """Every data file under the warehouse (landing, snapshots, the warehouse file) by content hash."""
    return {str(p.relative_to(warehouse)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(warehouse.rglob("*")) if p.is_file() and p.parts[len(warehouse.parts)] in
            ("landing", "serving", "lakehouse.duckdb")}


@pytest.mark.parametrize("operation", OPERATIONS, ids=[op.label for op in OPERATIONS])
def test_generated_requests_never_get_a_server_error_and_answer_as_documented(built_copy, operation):
    token, _ = create_key(get_settings().api_keys_path, "admin", rate_per_minute=10**9)
    headers = {"X-API-Key": token}

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy())
    def valid(case):
        response = case.call(headers=headers)
        case.validate_response(response, checks=[not_a_server_error, status_code_conformance, content_type_conformance,
                                                 response_schema_conformance], headers=headers)

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=schemathesis.GenerationMode.NEGATIVE))
    def invalid(case):
        response = case.call(headers=headers)
        assert response.status_code < 500, response.text
        if response.status_code >= 400:
            assert response.headers["content-type"][0].startswith("application/problem+json")
            assert len(response.json()["detail"]) > 20

    with writer_lock(get_settings()):  # writes answer 409 (busy) instead of changing the lakehouse under the test
        valid()
        if operation.label not in ("GET /health", "GET /ready", "POST /api/analyzers/run/"):
            invalid()


def corpus() -> list[tuple[str, str, str, dict]]:
    """(name, method, url, request kwargs) of malformed and hostile requests."""
    cases = [
        ("malformed json", "POST", "/api/events/", {"content": b'[{"event_id": "x",', "headers": {"Content-Type": "application/json"}}),
        ("json not a list", "POST", "/api/events/", {"json": {"event_id": "evt_1"}}),
        ("too many events", "POST", "/api/events/", {"json": [{}] * 5001}),
        ("oversized body", "POST", "/api/events/", {"content": b"[" + b" " * (11 * 2**20) + b"]",
                                                    "headers": {"Content-Type": "application/json"}}),
        ("lying content-length", "POST", "/api/events/", {"content": b"[]", "headers": {"Content-Length": "abc"}}),
        ("wrong type top_k", "POST", "/api/aura/score/", {"json": {"vacancy_id": "vac_000001", "top_k": "ten"}}),
        ("top_k too big", "POST", "/api/aura/score/", {"json": {"vacancy_id": "vac_000001", "top_k": 10**9}}),
        ("unknown field", "POST", "/api/aura/score/", {"json": {"vacancy_id": "vac_000001", "drop": "table"}}),
        ("segment rules not an object", "POST", "/api/aura/segment/", {"json": {"name": "x", "rules": "skills=Python"}}),
        ("segment unknown rule", "POST", "/api/aura/segment/", {"json": {"name": "x", "rules": {"salary'; --": 1}}}),
        ("negative limit", "GET", "/api/publish/campaigns/?limit=-1", {}),
        ("huge offset", "GET", "/api/publish/campaigns/?offset=99999999999999999999", {}),
        ("impossible date", "GET", "/api/publish/campaigns/?from=2026-02-30", {}),
        ("date as words", "GET", "/api/chatbot/analytics/?from=yesterday", {}),
        ("year 9999", "GET", "/api/reports/roi?from=9999-01-01&to=9999-12-31", {}),
        ("reversed period", "GET", "/api/payments/transactions/?from=2026-05-01&to=2026-01-01", {}),
        ("unknown business unit", "GET", "/api/gamif-analytics/engagement/?business_unit=huntred_tech", {}),
        ("unknown report format", "GET", "/api/reports/roi?from=2026-01-01&to=2026-01-31&format=docx", {}),
        ("webhook unsigned", "POST", "/api/payments/stripe/webhook", {"content": b"{}"}),
        ("webhook forged", "POST", "/api/payments/stripe/webhook", {"content": b'{"id": "evt_1"}',
                                                                    "headers": {"Stripe-Signature": "t=1,v1=abc"}}),
        ("webhook oversized", "POST", "/api/payments/stripe/webhook", {"content": b"{" + b" " * 600_000 + b"}",
                                                                       "headers": {"Stripe-Signature": "t=1,v1=abc"}}),
        ("webhook signature too long", "POST", "/api/payments/stripe/webhook",
         {"content": b"{}", "headers": {"Stripe-Signature": "t=1," + "v1=ab," * 400}}),
        ("key in the query string", "GET", "/api/publish/campaigns/?api_key=hr_0123456789ab_" + "A" * 43, {}),
        ("X-API-Key in the query string", "GET", "/health?X-API-Key=anything", {}),
        ("segment rule lone surrogate", "POST", "/api/aura/segment/", {"content": b'{"name": "x", "rules": {"skills": ["\\ud800"]}}',
                                                                         "headers": {"Content-Type": "application/json"}}),
        ("segment rule name lone surrogate", "POST", "/api/aura/segment/", {"content": b'{"name": "x", "rules": {"\\udfff": 1}}',
                                                                              "headers": {"Content-Type": "application/json"}}),
        ("event id lone surrogate", "POST", "/api/events/", {"content": b'[{"event_id": "evt_\\ud800"}]',
                                                             "headers": {"Content-Type": "application/json"}}),
        ("score NaN", "POST", "/api/aura/score/", {"content": b'{"vacancy_id": "vac_000001", "top_k": NaN}',
                                                   "headers": {"Content-Type": "application/json"}}),
    ]
    for name, body in SIGNED_NOT_EVENTS.items():
        cases.append((f"signed webhook {name}", "POST", "/api/payments/stripe/webhook", {"signed": body}))
    for currency in ("XXX", "mxn", "M X N", "'; DROP TABLE raw.ats_events; --"):
        event = {"event_id": "evt_cur", "event_type": "publish.vacancy_published", "occurred_at": "2026-03-01T10:00:00-06:00",
                 "business_unit": "huntred", "campaign_id": "cmp_00001",
                 "payload": {"vacancy_id": "vac_9", "title": "Dev", "description": "x", "required_skills": ["Python"],
                             "min_years_experience": 2, "state": "Jalisco", "city": "Guadalajara", "salary_min": 1,
                             "salary_max": 2, "currency": currency, "language": "es"}}
        cases.append((f"currency {currency!r}", "POST", "/api/events/", {"json": [event]}))
    for text in INJECTIONS:
        cases += [
            (f"campaign id {text[:12]!r}", "GET", "/api/publish/campaigns/" + quote(text, safe="") + "/metrics/", {}),
            (f"status filter {text[:12]!r}", "GET", "/api/payments/invoices/", {"params": {"status": text}}),
            (f"bu filter {text[:12]!r}", "GET", "/api/gamif-analytics/churn/", {"params": {"business_unit": text}}),
            (f"client id {text[:12]!r}", "GET", "/api/reports/client-export", {"params": {"client_id": text}}),
            (f"vacancy id {text[:12]!r}", "POST", "/api/aura/score/", {"json": {"vacancy_id": text}}),
            (f"event text {text[:12]!r}", "POST", "/api/events/", {"json": [{"event_id": text, "event_type": text,
                                                                           "occurred_at": text, "business_unit": text}]}),
            (f"segment bu {text[:12]!r}", "POST", "/api/aura/segment/", {"json": {"name": text, "rules": {"skills": [text]},
                                                                              "bu": text}}),
        ]
    return cases


def signed_event(created: str) -> str:
    return ('{"id": "evt_corpus", "object": "event", "type": "invoice.paid", "created": ' + created
            + ', "data": {"object": {"id": "in_1", "object": "invoice"}}}')


#: bodies signed with the webhook secret just before they are sent (a signature is only fresh for 5 minutes)
SIGNED_NOT_EVENTS = {"empty list": "[]", "string": '"evt_1"', "null": "null", "object without fields": "{}",
                     "created 1e12": signed_event("1e12"), "created 10**12": signed_event("1000000000000"),
                     "created -1": signed_event("-1"), "created as text": signed_event('"1764115200"'),
                     "created tomorrow+1": signed_event(str(int(time.time()) + 2 * 86_400)),
                     "id lone surrogate": signed_event("1764115200").replace("evt_corpus", "evt_\\ud800"),
                     "path in id": signed_event("1764115200").replace("evt_corpus", "../../x")}


def sent(kwargs: dict) -> dict:
    """The request arguments, with a ``signed`` body signed now."""
    if "signed" not in kwargs:
        return kwargs
    body = kwargs["signed"]
    secret = get_settings().require_webhook_secret()
    return {"content": body, "headers": {"Stripe-Signature": sign(body, secret, int(time.time())),
                                         "Content-Type": "application/json"}}


CORPUS = corpus()


def test_the_fuzz_corpus_gets_clear_4xx_answers_and_changes_nothing(built_copy, api_as):
    admin = api_as("admin")
    before = fingerprint(built_copy)
    for name, method, url, kwargs in CORPUS:
        response = admin.request(method, url, **sent(kwargs))
        assert 400 <= response.status_code < 500, (name, response.status_code, response.text[:300])
        assert response.headers["content-type"].startswith("application/problem+json"), name
        detail = response.json()["detail"]
        assert len(detail) > 20 and "Traceback" not in detail, (name, detail)
    assert fingerprint(built_copy) == before


def test_hostile_search_text_is_searched_for_literally(built_copy, api_as):
    analyst = api_as("analyst")
    for text in INJECTIONS:
        page = analyst.get("/api/publish/campaigns/", params={"search": text[:100]})
        assert page.status_code == 200 and page.json()["total"] == 0, text
    assert analyst.get("/api/publish/campaigns/", params={"search": "a" * 101}).status_code == 422


def test_a_body_that_is_not_json_is_named_as_such(built_copy, api_as):
    response = api_as("service").post("/api/events/", content=b"{nope", headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and response.json()["title"] == "Malformed JSON"
    assert json.loads(response.text)["detail"].startswith("The body is not valid JSON")
