"""Retraining through Dagster, scores in the published snapshot, the embedding cache, and the Models page."""
from __future__ import annotations

import time

from dagster import DagsterInstance, DagsterRunStatus, RunsFilter

from access.users import User
from foundation.settings import get_settings
from ml import tracking
from ml.families import FAMILIES
from models.enums import BusinessUnit
from orchestration import launch
from orchestration.launch import retrain
from serving.snapshot import open_current
from tests.apps.test_overview_page import signed_in

SCIENTIST = User("ds", "data_scientist")


def test_the_pipeline_alone_scores_nothing_until_a_model_is_champion(ml_lakehouse):
    import duckdb

    con = duckdb.connect(str(ml_lakehouse / "lakehouse.duckdb"), read_only=True)
    try:
        assert con.sql("SELECT count(*) FROM ml.churn_scores").fetchall()[0][0] == 0
        assert con.sql("SELECT count(*) FROM ml.candidate_profiles").fetchall()[0][0] > 0
    finally:
        con.close()


def test_retraining_through_dagster_registers_champions_and_publishes_their_scores(ml_warehouse):
    outcome = retrain(["churn", "matching"])
    assert outcome.success and "ml__churn_model" in outcome.steps and "serving__snapshot" in outcome.steps
    champions = {}
    for name in ("churn", "matching"):
        versions = tracking.versions(FAMILIES[name].model_name)
        assert versions and "champion" in versions[0]["aliases"]
        champions[name] = versions[0]["version"]
    cur = open_current(get_settings()).cursor()
    assert cur.sql("SELECT DISTINCT model_version FROM ml.churn_scores").fetchall() == [(champions["churn"],)]
    assert cur.sql("SELECT count(DISTINCT vacancy_id) FROM ml.match_scores").fetchall()[0][0] == \
        cur.sql("SELECT count(*) FROM staging.stg_ats__vacancies").fetchall()[0][0]
    assert "embeddings" not in {t for (t,) in cur.sql("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'ml'").fetchall()}
    # the scores flow into the marts built after scoring
    scored = cur.sql("SELECT count(*) FROM ml.churn_scores").fetchall()[0][0]
    assert cur.sql("SELECT count(*), min(churn_model_version), max(churn_model_version) FROM marts.mart_candidate_scores"
                   ).fetchall() == [(scored, champions["churn"], champions["churn"])]
    assert cur.sql("SELECT sum(scored_candidates) FROM marts.mart_churn_risk_by_bu").fetchall()[0][0] == scored

    # a second training of matching embeds nothing: every CV and vacancy text is in the cache (counts, not timings)
    retrain(["matching"])
    newest = tracking.versions(FAMILIES["matching"].model_name)[0]
    assert int(newest["params"]["data.texts_embedded"]) == 0
    assert int(newest["params"]["data.texts_from_cache"]) > 0
    assert "champion_ndcg_at_10" in newest["metrics"]  # judged against the champion on the same data


def test_the_models_page_compares_versions_and_its_retrain_button_trains_a_new_one(ml_warehouse):
    retrain(["churn"])
    at = signed_in(SCIENTIST, "models")
    assert not at.exception, at.exception
    tiles = {m.label: m.value for m in at.metric}
    champion = tracking.versions(FAMILIES["churn"].model_name)[0]
    assert tiles["Champion ROC-AUC"] == f"{champion['metrics']['roc_auc']:.4f}"
    assert tiles["Baseline ROC-AUC"] == f"{champion['metrics']['baseline_roc_auc']:.4f}"
    side = next(d.value for d in at.dataframe if "model metric" in d.value.columns)
    assert "ROC-AUC" in set(side["model metric"])
    assert at.get("image"), "the run's plots are shown"

    clicked = time.time()
    at.button(key="retrain").click().run()
    run = at.session_state["model_jobs"][-1]["run"]  # started in the background through orchestration.launch
    deadline = time.monotonic() + 300
    while launch.still_running(run) and time.monotonic() < deadline:
        time.sleep(1)
    log = (get_settings().warehouse_dir / run.log_file).read_text()
    assert "succeeded" in log.splitlines()[-1], log[-2000:]
    assert len(tracking.versions(FAMILIES["churn"].model_name)) == 2
    instance = DagsterInstance.get()  # the button's training is a run in Dagster's history, like the CLI's
    newest = instance.get_run_records(RunsFilter(job_name="ml_training"), limit=1)[0]
    assert newest.dagster_run.status == DagsterRunStatus.SUCCESS and newest.create_timestamp.timestamp() >= clicked


def test_the_models_page_is_not_for_analysts_or_managers(ml_warehouse):
    from streamlit.testing.v1 import AppTest

    from tests.conftest import REPO

    for user in (User("a", "analyst"), User("m", "bu_manager", "amigro")):
        assert not user.may_open("models")  # so the navigation does not list it
        at = AppTest.from_file(str(REPO / "apps" / "views" / "models.py"), default_timeout=60)
        at.session_state["user"] = user
        at.run()  # reached anyway, the page refuses
        assert at.error and "do not have access" in at.error[0].value and not at.metric


def test_churn_risk_reaches_the_engagement_page_within_the_users_scope(ml_warehouse):
    from access.policy import Scope
    from serving.analytics import Filters, churn_risk

    retrain(["churn"])
    snap = open_current(get_settings())
    everyone = churn_risk(snap, Scope(), Filters())
    mine = churn_risk(snap, Scope(business_unit="amigro"), Filters())
    assert set(mine["business_unit"]) == {"amigro"} and everyone.height == 7
    assert mine.row(0, named=True) == everyone.filter(everyone["business_unit"] == "amigro").row(0, named=True)
    at = signed_in(User("m", "bu_manager", "amigro"), "engagement")
    assert not at.exception
    shown = next(d.value for d in at.dataframe if "expected_churners" in d.value.columns)
    assert list(shown["business_unit"]) == ["amigro"]
    assert shown["scored_candidates"][0] == mine["scored_candidates"][0]


def test_the_api_serves_churn_scores_analyzers_segments_and_match_scores(ml_warehouse, api_as):
    retrain(["churn", "matching"])
    client = api_as("data_scientist")
    cur = open_current(get_settings()).cursor()

    churn = client.get("/api/gamif-analytics/churn/", params={"business_unit": "amigro", "limit": 5}).json()
    assert len(churn) == 5 and {c["business_unit"] for c in churn} == {"amigro"}
    assert [c["churn_probability"] for c in churn] == sorted((c["churn_probability"] for c in churn), reverse=True)
    assert churn[0]["top_reasons"] and churn[0]["model_version"] == tracking.versions("huntred-churn")[0]["version"]
    assert client.get("/api/gamif-analytics/churn/", params={"business_unit": "huntred_tech"}).status_code == 422

    listed = client.get("/api/analyzers/").json()
    assert [a["name"] for a in listed] == ["cv", "skill_market", "salary_ranges", "talent_quality"]
    assert listed[0]["last_metrics"]["skill_recall"] >= 0.95
    results = client.get("/api/analyzers/4/results/", params={"limit": 3}).json()
    assert len(results) == 3 and all(0 <= r["score"] <= 1 for r in results)
    missing = client.get("/api/analyzers/99/results/")
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("application/problem+json")
    assert "There is no analyzer 99." in missing.json()["detail"]

    segments = {s["name"]: s for s in client.get("/api/aura/segments/").json()}
    assert segments["Senior Data Science"]["rules"] == {"skills": ["Python", "ML"], "experiencia": ">5"}

    vacancy = cur.sql("SELECT min(vacancy_id) FROM staging.stg_ats__vacancies").fetchall()[0][0]
    top = client.post("/api/aura/score/", json={"vacancy_id": vacancy, "top_k": 5}).json()
    assert [t["rank"] for t in top] == [1, 2, 3, 4, 5] and {t["vacancy_id"] for t in top} == {vacancy}
    expected = cur.sql("SELECT candidate_id FROM ml.match_scores WHERE vacancy_id = $v ORDER BY score DESC LIMIT 5",
                       params={"v": vacancy}).fetchall()
    assert [t["candidate_id"] for t in top] == [c for (c,) in expected]
    assert client.post("/api/aura/score/", json={"vacancy_id": "vac_nope"}).status_code == 404
    unknown = client.post("/api/aura/score/", json={"vacancy_id": vacancy, "candidate_id": "x"})
    assert unknown.status_code == 404 and "no profiled candidate 'x'" in unknown.json()["detail"]
    pair = client.post("/api/aura/score/", json={"vacancy_id": vacancy, "candidate_id": top[2]["candidate_id"]}).json()
    assert len(pair) == 1 and pair[0]["score"] == top[2]["score"] and pair[0]["rank"] == 3
    # a BU manager scores their BU's vacancies (by vacancy, candidate or pair); another BU's vacancy is not found
    bu = cur.sql("SELECT business_unit FROM staging.stg_ats__vacancies WHERE vacancy_id = $v", params={"v": vacancy}).fetchall()[0][0]
    own = api_as("bu_manager", bu=bu)
    mine = own.post("/api/aura/score/", json={"vacancy_id": vacancy, "candidate_id": top[0]["candidate_id"]})
    assert mine.status_code == 200 and mine.json()[0]["score"] == top[0]["score"]
    assert own.post("/api/aura/score/", json={"candidate_id": top[0]["candidate_id"]}).status_code == 200
    other = next(b.value for b in BusinessUnit if b.value != bu)
    assert api_as("bu_manager", bu=other).post("/api/aura/score/", json={"vacancy_id": vacancy}).status_code == 404
    neither = client.post("/api/aura/score/", json={"top_k": 3})
    assert neither.status_code == 422 and "Give a vacancy_id, a candidate_id, or both." in neither.json()["detail"]


def test_a_family_without_enough_data_is_skipped_with_its_reason_and_the_rest_still_train(ml_warehouse, monkeypatch):
    import dataclasses

    from foundation.errors import UserError
    from ml import families
    from orchestration.launch import training_outcomes

    def too_little(con, landing_dir=None, params=None):
        raise UserError("The training months have no positive examples of 'cancelled' among 40 clients.", "Wait for data.")

    monkeypatch.setitem(families.FAMILIES, "client-churn", dataclasses.replace(families.FAMILIES["client-churn"], train=too_little))
    before = open_current(get_settings()).path
    outcome = retrain(["client-churn", "churn"])
    steps = training_outcomes(outcome.run_id, ["client-churn", "churn"])
    assert steps["client-churn"] == {"model": "huntred-client-churn", "trained": False,
                                     "reason": "The training months have no positive examples of 'cancelled' among 40 clients."}
    assert steps["churn"]["trained"] and steps["churn"]["promoted"]
    assert not tracking.versions("huntred-client-churn")
    assert open_current(get_settings()).path != before  # the run still published its scores
