"""Who may call what, and what they see: roles, scopes in the SQL, revocation, rate limits, audit, pseudonyms."""
from __future__ import annotations

import re
import stat

import pytest
from fastapi.testclient import TestClient

from api.main import app
from huntred import analytics as an
from huntred import api_keys, audit, pii
from huntred.auth import API_ROLES, CAPABILITIES
from huntred.serving import open_current
from huntred.settings import get_settings
from huntred.warehouse import writer_lock
from tests.cli.test_cli import huntred

#: one request per capability; when the role has it, the request fails later for its own reason (never 401/403),
#: so the test writes nothing
PROBES = {
    "status:read": ("GET", "/api/status/sources/", None),
    "campaigns:read": ("GET", "/api/publish/campaigns/", None),
    "engagement:read": ("GET", "/api/chatbot/analytics/", None),
    "scores:read": ("GET", "/api/gamif-analytics/churn/", None),
    "segments:write": ("POST", "/api/aura/segment/", {"name": "", "rules": {}}),
    "analyzers:read": ("GET", "/api/analyzers/", None),
    "analyzers:run": ("POST", "/api/analyzers/run/", None),  # the writer lock is held: 409 for those allowed
    "payments:read": ("GET", "/api/payments/invoices/", None),
    "reports:roi": ("GET", "/api/reports/roi?from=2026-02-01&to=2026-01-01", None),
    "reports:client_export": ("GET", "/api/reports/client-export?client_id=cli_99999", None),
    "events:write": ("POST", "/api/events/", []),
}
PUBLIC = {"/health", "/ready", "/api/payments/stripe/webhook"}


def scope_of(role: str, client_id: str) -> dict:
    return {"bu": "amigro"} if role == "bu_manager" else {"client": client_id} if role == "client" else {}


@pytest.fixture
def client_id(on_built) -> str:
    return an.solutions_clients(open_current(get_settings()), an.ALL)["client_id"][0]


def test_every_role_gets_exactly_its_capabilities(on_built, api_as, client_id):
    assert set(PROBES) == set(CAPABILITIES)
    with writer_lock(get_settings()):
        for role in API_ROLES:
            client = api_as(role, **scope_of(role, client_id))
            for capability, (method, url, body) in PROBES.items():
                response = client.request(method, url, json=body)
                refused = response.status_code == 403 and "may not use this endpoint" in response.json()["detail"]
                assert refused == (role not in CAPABILITIES[capability]), (role, capability, response.status_code, response.text)
                assert response.status_code not in (401, 500), (role, capability, response.text)


def test_every_data_route_requires_a_key_in_the_openapi_document():
    schema = TestClient(app).get("/openapi.json").json()
    for path, operations in schema["paths"].items():
        for method, op in operations.items():
            assert bool(op.get("security")) == (path not in PUBLIC), (method, path)


def test_a_bu_manager_sees_only_their_business_unit(on_built, api_as):
    snap = open_current(get_settings())
    manager = api_as("bu_manager", bu="amigro")
    page = manager.get("/api/publish/campaigns/", params={"limit": 500}).json()
    (expected,), = snap.cursor().sql("SELECT count(*) FROM marts.mart_campaign_summary WHERE business_unit = 'amigro'").fetchall()
    assert page["total"] == expected > 0 and {c["business_unit"] for c in page["items"]} == {"amigro"}
    (other,), = snap.cursor().sql("SELECT min(campaign_id) FROM marts.mart_campaign_summary WHERE business_unit <> 'amigro'").fetchall()
    for url in (f"/api/publish/campaigns/{other}/", f"/api/publish/campaigns/{other}/metrics/"):
        assert manager.get(url).status_code == 404  # not 403: another BU's campaign ids are not confirmed either
    asked_other = manager.get("/api/gamif-analytics/engagement/", params={"business_unit": "huntu"})
    assert asked_other.status_code == 403 and "covers amigro only" in asked_other.json()["detail"]
    mine = manager.get("/api/gamif-analytics/engagement/").json()
    everyone = api_as("analyst").get("/api/gamif-analytics/engagement/", params={"business_unit": "amigro"}).json()
    assert mine["months"] == everyone["months"] and mine["business_unit"] == "amigro"
    assert manager.get("/api/reports/roi", params={"bu": "huntu", "from": "2026-01-01", "to": "2026-01-31"}).status_code == 403


def test_a_client_sees_only_its_own_payments_and_campaigns(on_built, api_as, client_id):
    snap = open_current(get_settings())
    client = api_as("client", client=client_id)
    charges = client.get("/api/payments/transactions/", params={"limit": 500}).json()
    (expected,), = snap.cursor().sql("SELECT count(*) FROM intermediate.int_stripe__charges_mxn WHERE client_id = $c",
                                     params={"c": client_id}).fetchall()
    assert charges["total"] == expected > 0 and {c["client_id"] for c in charges["items"]} == {client_id}
    invoices = client.get("/api/payments/invoices/", params={"limit": 500}).json()["items"]
    assert invoices and {i["client_id"] for i in invoices} == {client_id}
    assert {c["client_id"] for c in client.get("/api/publish/campaigns/").json()["items"]} <= {client_id}
    refused = client.get("/api/reports/client-export", params={"client_id": "cli_99999"})
    assert refused.status_code == 403 and "your own organisation" in refused.json()["detail"]


def test_emails_and_names_are_pseudonyms_unless_the_role_may_see_them(on_built, api_as):
    key = get_settings().require_pseudonym_key()
    admin = api_as("admin").get("/api/payments/invoices/", params={"limit": 50}).json()["items"]
    analyst = api_as("analyst").get("/api/payments/invoices/", params={"limit": 50}).json()["items"]
    assert [i["invoice_id"] for i in admin] == [i["invoice_id"] for i in analyst]
    for clear, masked in zip(admin, analyst):
        assert "@" in clear["customer_email"]
        assert masked["customer_email"] == pii.pseudonymize(clear["customer_email"], "email", key)
    assert not any("@" in str(v) for row in analyst for v in row.values())


def test_the_marts_hold_no_emails_phones_or_names(on_built):
    snap = open_current(get_settings())
    columns = snap.cursor().sql("SELECT table_schema, table_name, column_name FROM information_schema.columns "
                                "WHERE table_schema IN ('marts', 'ml') AND data_type = 'VARCHAR'").fetchall()
    assert columns
    named = [c for c in columns if re.search(r"email|phone|first_name|last_name|full_name", c[2])]
    assert not named
    for schema, table, column in columns:
        (hits,), = snap.cursor().sql(
            f'SELECT count(*) FROM "{schema}"."{table}" WHERE regexp_matches("{column}", \'[\\w.+-]+@[\\w-]+\\.[\\w.]+\') '
            f'OR regexp_matches("{column}", \'\\+?52[ -]?\\d{{2,3}}[ -]?\\d{{3,4}}[ -]?\\d{{4}}\')').fetchall()
        assert hits == 0, f"{schema}.{table}.{column} holds emails or phones"


def test_keys_are_stored_as_hashes_and_revocation_takes_effect_at_once(warehouse):
    path = get_settings().api_keys_path
    token, key = api_keys.create_key(path, "analyst", label="reporting robot")
    assert token not in path.read_text() and token.split("_", 2)[2] not in path.read_text()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    client = TestClient(app, headers={"X-API-Key": token})
    assert client.get("/api/status/sources/").status_code == 503  # admitted (no snapshot yet)
    result = huntred("keys", "revoke", key.key_id, warehouse=warehouse)
    assert result.returncode == 0, result.stderr
    refused = client.get("/api/status/sources/")
    assert refused.status_code == 401 and "revoked" in refused.json()["detail"]
    forged = TestClient(app, headers={"X-API-Key": token[:-4] + "AAAA"}).get("/api/status/sources/")
    assert forged.status_code == 401
    no_bu = huntred("keys", "create", "--role", "bu_manager", warehouse=warehouse)
    assert no_bu.returncode == 2 and "A BU manager needs a business unit." in no_bu.stderr


def test_a_key_over_its_rate_gets_429_with_retry_after(warehouse, api_as):
    client = api_as("analyst", rate=3)
    assert [client.get("/api/status/sources/").status_code for _ in range(3)] == [503] * 3
    limited = client.get("/api/status/sources/")
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    assert "3 requests a minute" in limited.json()["detail"]
    assert api_as("analyst", rate=3).get("/api/status/sources/").status_code == 503  # another key has its own budget


def test_the_audit_log_records_who_read_and_exported_what(on_built, api_as):
    snap = open_current(get_settings())
    before = len(audit.read(get_settings().audit_dir))
    manager = api_as("bu_manager", bu="huntu")
    shown = len(manager.get("/api/publish/campaigns/", params={"limit": 2}).json()["items"])
    lo, hi = an.data_range(snap)
    manager.get("/api/reports/roi", params={"from": str(lo), "to": str(hi), "format": "xlsx"})
    api_as(None).get("/api/publish/campaigns/")
    records = audit.read(get_settings().audit_dir)[before:]
    read, export, anonymous = records
    key_id = read["actor"]
    assert read["role"] == "bu_manager" and read["scope"] == "huntU" and read["resource"] == "/api/publish/campaigns/"
    assert read["params"] == {"limit": "2"} and read["status"] == 200 and read["rows"] == shown > 0 and read["action"] == "get"
    assert export["actor"] == key_id and export["action"] == "export" and export["params"]["file"].endswith(".xlsx")
    assert anonymous["actor"] == "unknown" and anonymous["status"] == 401
