"""Model scores keep to the reader's scope and show no person in clear to a non-admin (trained models).

The built sample of tests/guarantees has no champion, so its score reads answer nothing; here
churn and matching are trained once and the same checks run on their scores: a BU manager's
answers are the same on the snapshot and on its twin (tests/guarantees/twin.py), and no
non-admin's answer holds a clear name, e-mail or phone.
"""
from __future__ import annotations

from fastapi.testclient import TestClient

from access.policy import API_ROLES, PII_ROLES
from access.users import User
from api.main import app
from foundation.settings import get_settings
from orchestration.launch import retrain
from serving.snapshot import open_current
from tests.guarantees import reads
from tests.guarantees.twin import ScopeUnderTest, current_file, make_twin, serving


def test_scores_keep_to_the_scope_and_hide_people_from_non_admins(ml_warehouse, api_as):
    assert retrain(["churn", "matching"]).success
    snap = open_current(get_settings())
    (bu,), = snap.cursor().sql("SELECT v.business_unit FROM ml.match_scores JOIN staging.stg_ats__vacancies v "
                               "USING (vacancy_id) GROUP BY 1 ORDER BY count(*) DESC LIMIT 1").fetchall()
    manager, analyst = User("manager", "bu_manager", bu), User("analyst", "analyst")
    key = get_settings().require_pseudonym_key()
    sample = reads.sample_for(snap, manager.scope)
    requests = [r for r in reads.api_reads(TestClient(app).get("/openapi.json").json(), sample)
                if r.path in reads.SCORE_ROUTES]
    assert len(requests) >= 3
    full = current_file(ml_warehouse)
    twin = full.with_name("snapshot-twin-scores.duckdb")
    make_twin(full, twin, ScopeUnderTest(business_unit=bu))

    mine, everyone = api_as("bu_manager", bu=bu), api_as("admin")
    on_full = {**reads.analytics_answers(manager, key, reads.SCORE_READS), **reads.api_answers(mine, requests)}
    everyone_on_full = reads.analytics_answers(analyst, key, reads.SCORE_READS)
    with serving(ml_warehouse, twin):
        on_twin = {**reads.analytics_answers(manager, key, reads.SCORE_READS), **reads.api_answers(mine, requests)}
        everyone_on_twin = reads.analytics_answers(analyst, key, reads.SCORE_READS)
    assert all(on_full[name] != {"columns": [], "rows": []} and on_full[name] != [] for name in reads.SCORE_READS), on_full
    assert not reads.differences(on_full, on_twin), f"score reads that let other BUs' rows through: {reads.differences(on_full, on_twin)}"
    assert not reads.mentions(list(on_full.values()), reads.foreign_ids(snap, manager.scope))
    # an analyst's score reads over every BU change on the twin: the twin does reach the scored tables
    assert set(reads.differences(everyone_on_full, everyone_on_twin)) >= reads.SCORE_READS - {"ml_scores.match_scores"}

    people = reads.known_people(snap)
    admin_scores = reads.api_answers(everyone, requests)
    assert reads.people_in_clear(admin_scores, people), "the admin sees names in clear: else the scan below proves nothing"
    all_reads = reads.api_reads(TestClient(app).get("/openapi.json").json(), reads.sample_for(snap, reads.policy.ALL))
    for role in (r for r in API_ROLES if r not in PII_ROLES):
        scope = {"bu": bu} if role == "bu_manager" else {"client": sample.client_id} if role == "client" else {}
        answers = reads.api_answers(api_as(role, **scope), all_reads + requests)
        leaked = {label: found for label, a in answers.items() if (found := reads.people_in_clear(a, people))}
        assert not leaked, f"a {role} sees people in clear: {leaked}"
