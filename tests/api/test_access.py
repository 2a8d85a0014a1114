"""Who may call what, and what they see: roles, scopes in the SQL, revocation, rate limits, audit, pseudonyms."""
from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
import stat

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

import api.routes
from access import api_keys, audit, pii, policy, users
from access.policy import API_ROLES
from api.main import app
from foundation.settings import get_settings
from foundation.warehouse import writer_lock
from serving import analytics as an
from serving.snapshot import open_current
from tests.cli.test_cli import huntred
from tests.conftest import REPO

#: The access matrix, written out by hand: which roles may call each route of the API, and open each page of the
#: dashboard. It is deliberately not read from access.users (CAPABILITIES, PAGE_ROLES): a change to who may do what
#: has to be made here too, and docs/api.md's tables must say the same (test_docs_state_the_same_matrix).
ANALYST, BU_MANAGER, DATA_SCIENTIST, CLIENT, ADMIN = "analyst", "bu_manager", "data_scientist", "client", "admin"
SERVICE = "service"  # API keys only: machines pushing data in
PUBLIC = "public"  # no key needed (anyone, with or without a key)
ROUTE_MATRIX: dict[str, str | frozenset[str]] = {
    "GET /health": PUBLIC,
    "GET /ready": PUBLIC,
    "POST /api/payments/stripe/webhook": PUBLIC,  # authenticated by Stripe's signature instead
    "GET /api/status/sources/": frozenset({ANALYST, DATA_SCIENTIST, ADMIN, SERVICE}),
    "GET /api/status/quarantine/": frozenset({ANALYST, DATA_SCIENTIST, ADMIN, SERVICE}),
    "GET /api/publish/campaigns/": frozenset({ANALYST, BU_MANAGER, DATA_SCIENTIST, CLIENT, ADMIN}),
    "GET /api/publish/campaigns/{campaign_id}/": frozenset({ANALYST, BU_MANAGER, DATA_SCIENTIST, CLIENT, ADMIN}),
    "GET /api/publish/campaigns/{campaign_id}/metrics/": frozenset({ANALYST, BU_MANAGER, DATA_SCIENTIST, CLIENT, ADMIN}),
    "GET /api/gamif-analytics/engagement/": frozenset({ANALYST, BU_MANAGER, DATA_SCIENTIST, ADMIN}),
    "GET /api/chatbot/analytics/": frozenset({ANALYST, BU_MANAGER, DATA_SCIENTIST, ADMIN}),
    "GET /api/gamif-analytics/churn/": frozenset({ANALYST, BU_MANAGER, DATA_SCIENTIST, ADMIN}),
    "GET /api/analyzers/": frozenset({ANALYST, DATA_SCIENTIST, ADMIN}),
    "GET /api/analyzers/{analyzer_id}/results/": frozenset({ANALYST, DATA_SCIENTIST, ADMIN}),
    "POST /api/analyzers/run/": frozenset({DATA_SCIENTIST, ADMIN}),
    "GET /api/aura/segments/": frozenset({ANALYST, BU_MANAGER, DATA_SCIENTIST, ADMIN}),
    "POST /api/aura/segment/": frozenset({ANALYST, BU_MANAGER, DATA_SCIENTIST, ADMIN}),
    "POST /api/aura/score/": frozenset({ANALYST, BU_MANAGER, DATA_SCIENTIST, ADMIN}),
    "GET /api/payments/transactions/": frozenset({ANALYST, CLIENT, ADMIN}),
    "GET /api/payments/invoices/": frozenset({ANALYST, CLIENT, ADMIN}),
    "POST /api/events/": frozenset({SERVICE, ADMIN}),
    "GET /api/reports/roi": frozenset({ANALYST, BU_MANAGER, ADMIN}),
    "GET /api/reports/client-export": frozenset({ANALYST, CLIENT, ADMIN}),
}
#: dashboard page id -> roles that may open it (service keys never sign in to the dashboard)
PAGE_MATRIX: dict[str, frozenset[str]] = {
    "campaigns": frozenset({ANALYST, BU_MANAGER, DATA_SCIENTIST, ADMIN}),
    "attribution": frozenset({ANALYST, BU_MANAGER, DATA_SCIENTIST, ADMIN}),
    "pipeline": frozenset({ANALYST, BU_MANAGER, DATA_SCIENTIST, ADMIN}),
    "engagement": frozenset({ANALYST, BU_MANAGER, DATA_SCIENTIST, ADMIN}),
    "revenue": frozenset({ANALYST, ADMIN}),
    "roi_reports": frozenset({ANALYST, BU_MANAGER, ADMIN}),
    "consulting_exports": frozenset({ANALYST, CLIENT, ADMIN}),
    "overview": frozenset({ANALYST, DATA_SCIENTIST, ADMIN}),
    "models": frozenset({DATA_SCIENTIST, ADMIN}),
}
API_ROLE_NAMES = (ANALYST, BU_MANAGER, DATA_SCIENTIST, CLIENT, ADMIN, SERVICE)
DASHBOARD_ROLE_NAMES = (ANALYST, BU_MANAGER, DATA_SCIENTIST, CLIENT, ADMIN)

#: One request per route that a role allowed to call it gets answered without anything being written: a read, an
#: unknown id, a body that fails validation (checked after the key and role), or a write while the writer lock is
#: held (409). Beside it, the statuses an allowed role may get (a client asking for another client's export: 403).
PROBES: dict[str, tuple[str, object, set[int]]] = {
    "GET /api/status/sources/": ("/api/status/sources/", None, {200}),
    "GET /api/status/quarantine/": ("/api/status/quarantine/", None, {200}),
    "GET /api/publish/campaigns/": ("/api/publish/campaigns/?limit=1", None, {200}),
    "GET /api/publish/campaigns/{campaign_id}/": ("/api/publish/campaigns/cmp_99999/", None, {404}),
    "GET /api/publish/campaigns/{campaign_id}/metrics/": ("/api/publish/campaigns/cmp_99999/metrics/", None, {404}),
    "GET /api/gamif-analytics/engagement/": ("/api/gamif-analytics/engagement/", None, {200}),
    "GET /api/chatbot/analytics/": ("/api/chatbot/analytics/", None, {200}),
    "GET /api/gamif-analytics/churn/": ("/api/gamif-analytics/churn/?limit=1", None, {200}),
    "GET /api/analyzers/": ("/api/analyzers/", None, {200}),
    "GET /api/analyzers/{analyzer_id}/results/": ("/api/analyzers/999999/results/", None, {404}),
    "POST /api/analyzers/run/": ("/api/analyzers/run/", None, {409}),  # the writer lock is held
    "GET /api/aura/segments/": ("/api/aura/segments/", None, {200}),
    "POST /api/aura/segment/": ("/api/aura/segment/", {"name": "", "rules": {}}, {422}),
    "POST /api/aura/score/": ("/api/aura/score/", {"top_k": 0}, {422}),
    "GET /api/payments/transactions/": ("/api/payments/transactions/?limit=1", None, {200}),
    "GET /api/payments/invoices/": ("/api/payments/invoices/?limit=1", None, {200}),
    "POST /api/events/": ("/api/events/", [], {422}),
    "GET /api/reports/roi": ("/api/reports/roi?from=2026-02-01&to=2026-01-01", None, {422}),
    "GET /api/reports/client-export": ("/api/reports/client-export?client_id=cli_99999", None, {403, 404}),
}
#: public routes, called without a key (and with every key): never 401 or 403, and nothing written
PUBLIC_PROBES: dict[str, tuple[str, object, set[int]]] = {
    "GET /health": ("/health", None, {200}),
    "GET /ready": ("/ready", None, {200}),
    "POST /api/payments/stripe/webhook": ("/api/payments/stripe/webhook", {}, {400}),  # no signature: refused, not landed
}


def scope_of(role: str, client_id: str) -> dict:
    return {"bu": "amigro"} if role == "bu_manager" else {"client": client_id} if role == "client" else {}


@pytest.fixture
def client_id(on_built) -> str:
    return an.solutions_clients(open_current(get_settings()), policy.ALL)["client_id"][0]


def openapi_routes() -> set[str]:
    schema = TestClient(app).get("/openapi.json").json()
    return {f"{method.upper()} {path}" for path, operations in schema["paths"].items() for method in operations}


def dashboard_pages() -> list[tuple[str, str, str, str]]:
    """apps/dashboard.py's PAGES (id, file, title, icon), read from its source (importing it would run Streamlit)."""
    tree = ast.parse((REPO / "apps" / "dashboard.py").read_text(encoding="utf-8"))
    (pages,) = [node.value for node in ast.walk(tree) if isinstance(node, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == "PAGES" for t in node.targets)]
    return [ast.literal_eval(entry) for entry in pages.elts]


def test_the_matrix_has_a_row_for_every_route_and_page_and_a_column_for_every_role():
    assert openapi_routes() == set(ROUTE_MATRIX), "a route was added or removed: write its row in ROUTE_MATRIX (and docs/api.md)"
    assert set(ROUTE_MATRIX) - set(PUBLIC_PROBES) == set(PROBES)
    assert set(API_ROLES) == set(API_ROLE_NAMES) and set(policy.ROLES) == set(DASHBOARD_ROLE_NAMES)
    assert all(roles <= set(API_ROLE_NAMES) for roles in ROUTE_MATRIX.values() if roles != PUBLIC)
    pages = [page_id for page_id, *_ in dashboard_pages()]
    assert len(pages) == len(set(pages)) and set(pages) == set(policy.PAGE_ROLES) == set(PAGE_MATRIX)
    assert all(roles <= set(DASHBOARD_ROLE_NAMES) for roles in PAGE_MATRIX.values())


def route_capabilities() -> dict[str, str | None]:
    """'METHOD /path' -> the capability its `caller(...)` dependency asks for (None: the route takes no key), for the
    routes of every router in api/routes/ (FastAPI keeps an included router as one entry of app.routes)."""
    found = {}
    for module in pkgutil.iter_modules(api.routes.__path__):
        for route in importlib.import_module(f"api.routes.{module.name}").router.routes:
            assert isinstance(route, APIRoute), route
            checks = [d.call for d in route.dependant.dependencies if getattr(d.call, "checks_key", False)]
            capability = inspect.getclosurevars(checks[0]).nonlocals["capability"] if checks else None
            for method in route.methods:
                found[f"{method} {route.path}"] = capability
    return found


def test_the_role_tables_grant_exactly_the_matrix():
    """Fast (no data): the capability each route asks for, looked up in access.users's tables, gives the matrix's roles."""
    found = route_capabilities()
    assert set(found) == set(ROUTE_MATRIX), "a route the app serves is not in api/routes/, or the other way round"
    for route, capability in found.items():
        granted = PUBLIC if capability is None else policy.CAPABILITIES[capability]
        assert granted == ROUTE_MATRIX[route], (route, capability)
    for page, roles in PAGE_MATRIX.items():
        assert policy.PAGE_ROLES[page] == roles, page
        assert {r for r in DASHBOARD_ROLE_NAMES if users.User("u", r).may_open(page)} == roles, page


def test_every_role_may_call_exactly_the_routes_the_matrix_gives_it(on_built, api_as, client_id):
    """Each route called with a key of each role: 403 "may not use this endpoint" exactly where the matrix has no mark,
    otherwise the probe's own answer (never 401 or 500). Public routes answer without a key."""
    landed = sorted((on_built / "landing").rglob("*"))
    anonymous = TestClient(app, client=("203.0.113.17", 50000))  # its own address: the no-key rate limit is per address
    for route, (url, body, statuses) in PUBLIC_PROBES.items():
        response = anonymous.request(route.split()[0], url, json=body)
        assert response.status_code in statuses, (route, response.status_code, response.text)
    for route, (url, _, _) in PROBES.items():
        response = anonymous.request(route.split()[0], url)
        assert response.status_code == 401, (route, "answered without a key", response.status_code)
    with writer_lock(get_settings()):
        for role in API_ROLE_NAMES:
            client = api_as(role, **scope_of(role, client_id))
            for route, (url, body, statuses) in {**PUBLIC_PROBES, **PROBES}.items():
                response = client.request(route.split()[0], url, json=body)
                refused = response.status_code == 403 and "may not use this endpoint" in response.json()["detail"]
                allowed = ROUTE_MATRIX[route] == PUBLIC or role in ROUTE_MATRIX[route]
                assert refused != allowed, (role, route, response.status_code, response.text)
                if allowed:
                    assert response.status_code in statuses, (role, route, response.status_code, response.text)
                assert response.status_code not in (401, 500), (role, route, response.text)
    assert sorted((on_built / "landing").rglob("*")) == landed, "a probe landed data"


def markdown_tables(text: str) -> list[list[list[str]]]:
    """The tables of a markdown text: for each, its rows (header first, the --- row left out) as lists of cells."""
    tables, rows = [], []
    for line in [*text.splitlines(), ""]:
        if line.startswith("|"):
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if not all(re.fullmatch(r":?-+:?", cell) for cell in cells):
                rows.append(cells)
        elif rows:
            tables.append(rows)
            rows = []
    return tables


def marks(table: list[list[str]], key_column: str, roles: tuple[str, ...]) -> dict[str, frozenset[str] | str]:
    """A role x row table of ✓ marks as {row key (the first `code` of its first cell): roles marked}."""
    header, *rows = table
    assert header[0] == key_column and header[-len(roles):] == list(roles), header
    found = {}
    for row in rows:
        assert len(row) == len(header) and set(row[1:]) <= {"✓", ""}, row
        key = re.search(r"`([^`]+)`", row[0]).group(1)
        assert key not in found, f"{key} has two rows"
        marked = frozenset(role for role, cell in zip(header[1:], row[1:]) if cell == "✓")
        found[key] = PUBLIC if "no key" in marked else marked
        if "no key" in marked:
            assert marked == {"no key", *roles}, f"{key}: a route anyone may call without a key is open to every role"
    return found


def test_docs_state_the_same_matrix():
    """docs/api.md's Access control section holds the matrix as a role x endpoint and a role x page table."""
    text = (REPO / "docs" / "api.md").read_text(encoding="utf-8")
    section = text.split("\n## Access control\n", 1)[1].split("\n## ", 1)[0]
    tables = markdown_tables(section)
    (endpoints,) = [t for t in tables if t[0][0] == "method and path"]
    (pages,) = [t for t in tables if t[0][0] == "page"]
    assert marks(endpoints, "method and path", ("no key", *API_ROLE_NAMES)) == ROUTE_MATRIX
    assert marks(pages, "page", DASHBOARD_ROLE_NAMES) == PAGE_MATRIX


def test_every_data_route_requires_a_key_in_the_openapi_document():
    schema = TestClient(app).get("/openapi.json").json()
    for path, operations in schema["paths"].items():
        for method, op in operations.items():
            assert bool(op.get("security")) == (ROUTE_MATRIX[f"{method.upper()} {path}"] != PUBLIC), (method, path)


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
