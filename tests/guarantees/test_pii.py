"""No answer or file shows a non-admin the clear name, e-mail or phone of a person in the sample.

Every read route of the API (OpenAPI), every page each role may open, and every file they can
download (ROI PDF and Excel, the client zip) is scanned for the people an admin sees
(``reads.known_people``). Scores of a trained model are scanned in tests/ml/test_scope_of_scores.py.
"""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from access.policy import API_ROLES, PAGE_ROLES, PII_ROLES
from access.users import User
from api.main import app
from foundation.settings import get_settings
from serving.snapshot import open_current
from tests.apps.test_overview_page import signed_in
from tests.guarantees import reads

NON_ADMIN = [role for role in API_ROLES if role not in PII_ROLES]
SCOPES = {"bu_manager": {"bu": "huntred_solutions"}}


def scoped(role: str, client: str) -> dict:
    return SCOPES.get(role, {"client": client} if role == "client" else {})


@pytest.fixture
def people(in_world):
    found = reads.known_people(open_current(get_settings()))
    assert len(found) > 20 and all(p.email for p in found)
    return found


@pytest.mark.parametrize("role", NON_ADMIN)
def test_no_api_answer_or_file_shows_a_person_in_clear(role, in_world, people, api_as):
    snap = open_current(get_settings())
    sample = reads.sample_for(snap, reads.policy.ALL)
    scope = scoped(role, sample.client_id)
    requests = reads.api_reads(TestClient(app).get("/openapi.json").json(), sample)
    caller = api_as(role, **scope)
    answers = {r.label: reads.api_answer(caller, r) for r in requests}
    leaked = {label: reads.people_in_clear(a, people) for label, a in answers.items()}
    assert not {k: v for k, v in leaked.items() if v}, f"a {role} sees people in clear"
    # the scan can see a person: the admin's invoices show e-mails in clear, and the scan finds them
    admin = reads.api_answer(api_as("admin"), reads.Request("GET", "/api/payments/invoices/", {"limit": 500}))
    assert reads.people_in_clear(admin, people)


@pytest.mark.parametrize("role", [r for r in NON_ADMIN if r != "service"])
def test_no_dashboard_page_shows_a_person_in_clear(role, in_world, people):
    client = reads.sample_for(open_current(get_settings()), reads.policy.ALL).client_id
    scope = scoped(role, client)
    user = User(f"{role}-under-test", role, scope.get("bu"), scope.get("client"))
    pages = [page for page, roles in PAGE_ROLES.items() if role in roles]
    assert pages
    for page in pages:
        at = signed_in(user, page)
        assert not at.exception, (page, at.exception)
        assert not reads.people_in_clear(reads.page_answer(at), people), f"the {page} page shows a {role} people in clear"
