"""No read shows a BU manager another BU's rows, or a client another client's: every read, on a twin.

Each read (analytics function, API route, dashboard page, report file; enumerated in
``reads.py``, not listed here) is answered twice for the same person: on the published
snapshot, and on its twin where every row of another scope is doubled with its numbers
changed (``twin.py``). The two answers must be the same. An analyst's answers on the two
must differ for every read of owned data, which proves the twin touches what they read.
"""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from access import policy
from access.policy import PAGE_ROLES
from access.users import User
from api.main import app
from foundation.settings import get_settings
from serving import analytics as an
from serving.snapshot import open_current
from tests.apps.test_overview_page import signed_in
from tests.guarantees import reads
from tests.guarantees.twin import ScopeUnderTest, current_file, make_twin, serving

#: reads of data nobody owns (the same for every role), so an analyst's answer cannot change on a twin
SHARED_READS = {"analytics.data_range", "ml_scores.analyzers", "ml_scores.analyzer_results", "ml_scores.score_summary"}
#: reads that answer names and ids only, or one row by its key (the twin's copy comes second): the foreign-id scan
#: and the foreign-id variant of the read (reads.call_scoped) cover them
IDS_ONLY_READS = {"analytics.solutions_clients", "analytics.campaign_detail"}
#: reads of model scores: the built sample has no champion yet, so tests/ml/test_scope_of_scores.py checks them trained
NEEDS_SCORES = reads.SCORE_READS
#: (role, BU, client) of the people whose reads are checked; the client is found in the data
PEOPLE = [("bu_manager", "amigro"), ("bu_manager", "huntred_solutions"), ("client", None)]


def a_client() -> str:
    (client,), = open_current(get_settings()).cursor().sql(
        "SELECT min(client_id) FROM marts.mart_campaign_summary WHERE client_id IS NOT NULL AND applications > 0").fetchall()
    return client


@pytest.fixture(params=PEOPLE, ids=lambda p: p[1] or p[0])
def person(request, in_world):
    role, bu = request.param
    client = a_client() if role == "client" else None
    scope = ScopeUnderTest(business_unit=bu, client_id=client)
    full = current_file(in_world)
    twin = full.with_name(f"snapshot-twin-{bu or client}.duckdb")
    if not twin.exists():
        added = make_twin(full, twin, scope)
        assert len(added) > 10, f"the twin doubled rows in too few tables to mean much: {added}"
    user = User(f"{role}-under-test", role, bu, client)
    return user, full, twin


def test_every_analytics_read_keeps_to_the_scope(person):
    user, full, twin = person
    key = get_settings().require_pseudonym_key()
    functions = reads.scoped_functions()
    assert len(functions) >= 35, sorted(functions)
    on_full = reads.analytics_answers(user, key)
    assert not [n for n, a in on_full.items() if "failed" in a], on_full
    with serving(full.parent.parent, twin):
        on_twin = reads.analytics_answers(user, key)
        everyone_on_twin = reads.analytics_answers(User("analyst-under-test", "analyst"), key)
    everyone = reads.analytics_answers(User("analyst-under-test", "analyst"), key)
    assert not reads.differences(on_full, on_twin), f"reads that let other scopes' rows through: {reads.differences(on_full, on_twin)}"
    assert not reads.mentions(list(on_full.values()), reads.foreign_ids(open_current(get_settings()), user.scope))
    untouched = set(on_full) - set(reads.differences(everyone, everyone_on_twin)) - SHARED_READS - IDS_ONLY_READS - NEEDS_SCORES
    # an analyst sees every scope, so on the twin their answer changes: else the twin proved nothing for that read
    assert not untouched, f"the twin changes nothing these reads read, so the check above proves nothing: {sorted(untouched)}"


def test_every_api_route_keeps_to_the_scope(person, api_as):
    user, full, twin = person
    sample = reads.sample_for(open_current(get_settings()), user.scope)
    requests = reads.api_reads(TestClient(app).get("/openapi.json").json(), sample)
    assert len(requests) >= 20
    mine = api_as(user.role, bu=user.business_unit, client=user.client_id)
    everyone = api_as("admin")
    on_full, everyone_on_full = reads.api_answers(mine, requests), reads.api_answers(everyone, requests)
    with serving(full.parent.parent, twin):
        on_twin, everyone_on_twin = reads.api_answers(mine, requests), reads.api_answers(everyone, requests)
    leaks = reads.differences(on_full, on_twin)
    named = reads.mentions(list(on_full.values()), reads.foreign_ids(open_current(get_settings()), user.scope))
    assert not named, f"answers name another scope's ids: {sorted(named)[:10]}"
    assert not leaks, "routes that let other scopes' rows through:\n" + "\n".join(
        f"{label}\n  on the snapshot: {str(on_full[label])[:300]}\n  on the twin:     {str(on_twin[label])[:300]}"
        for label in leaks)
    answered = {label for label, a in on_full.items() if a["status"] == 200}
    assert len(answered) >= 8, on_full
    # an admin's answer to every read over many rows changes on the twin, else the twin proved nothing for it (reads of
    # one id of the person's own scope cannot change: their rows are the same on both; the id variants cover them)
    touched = set(reads.differences(everyone_on_full, everyone_on_twin))
    of_one_id = {label for label in answered if any(i and i in label for i in (sample.campaign_id, sample.vacancy_id, sample.client_id))
                 or label.startswith("GET /api/reports/client-export")}  # a client's own export by default
    unowned = {label for label in answered if label.split(" ")[1].startswith(("/health", "/ready", "/api/status/", "/api/analyzers/"))}
    of_scores = {label for label in answered if label.split(" ")[1] in reads.SCORE_ROUTES}
    assert not answered - touched - of_one_id - unowned - of_scores, \
        f"the twin proves nothing for: {sorted(answered - touched - of_one_id - unowned - of_scores)}"


def page_answers(user: User) -> dict[str, object]:
    shown = {}
    for page, roles in PAGE_ROLES.items():
        if user.role in roles:
            at = signed_in(user, page)
            assert not at.exception, (page, at.exception)
            shown[page] = reads.page_answer(at)
    return shown


# one BU manager and the client: pages call the reads checked above, so a second BU would add minutes, not cover more
@pytest.mark.parametrize("person", [PEOPLE[0], PEOPLE[2]], ids=["amigro", "client"], indirect=True)
def test_every_dashboard_page_keeps_to_the_scope(person):
    user, full, twin = person
    on_full = page_answers(user)
    assert on_full, f"a {user.role} opens no page"
    with serving(full.parent.parent, twin):
        on_twin = page_answers(user)
    for page in on_full:
        assert on_full[page] == on_twin[page], f"the {page} page shows other scopes' rows to a {user.role}"
    named = reads.mentions(list(on_full.values()), reads.foreign_ids(open_current(get_settings()), user.scope))
    assert not named, f"pages name another scope's ids: {sorted(named)[:10]}"


def test_the_analytics_scope_is_in_the_sql_of_a_query_before_any_filter():
    w = an.where(policy.Scope(business_unit="amigro"), an.Filters(business_units=("huntred",)))
    assert w.clauses[0] == "business_unit = $scope_bu" and w.params["scope_bu"] == "amigro"
