"""Read queries over the ml schema of the serving snapshot (API and CLI), each a parameterised SQL; vacancies and
candidates they name are read from ``marts.dim_vacancies`` and ``people.candidate_contacts`` (pseudonymized).

Candidate-level reads take the caller's ``Scope``: a BU manager's scope is a condition
in the SQL; a client's scope sees no candidate (candidates are not a client's data).
"""
from __future__ import annotations

import orjson
import polars as pl

from access.pii import pseudonym_sql
from access.policy import ALL, Scope
from foundation.errors import NotFound
from serving.analytics import Filters, where
from serving.snapshot import Snapshot, fetch_dicts, snapshot_cached


def churn_scores(snap: Snapshot, scope: Scope = ALL, *, business_unit: str | None = None, min_probability: float = 0.0,
                 limit: int = 100, offset: int = 0) -> list[dict]:
    w = where(scope, Filters(business_units=(business_unit,) if business_unit else ()), client_column=None)
    w.add("churn_probability >= $min", min=min_probability)
    rows = snap.cursor().sql(f"""
        SELECT candidate_id, business_unit, churn_probability, risk_decile, top_reasons, model_version, cutoff
        FROM ml.churn_scores {w.sql}
        ORDER BY churn_probability DESC, candidate_id LIMIT $limit OFFSET $offset""",
        params={**w.params, "limit": limit, "offset": offset}).fetchall()
    return [{"user_id": c, "business_unit": bu, "churn_probability": p, "risk_decile": d, "top_reasons": orjson.loads(r),
             "model_version": v, "scored_for": cutoff} for c, bu, p, d, r, v, cutoff in rows]


def analyzers(snap: Snapshot) -> list[dict]:
    rows = snap.cursor().sql("""
        SELECT a.analyzer_id, a.name, a.type, a.version, a.description, a.config_json, a.last_run, r.metrics_json
        FROM ml.analyzers a LEFT JOIN ml.analyzer_runs r ON r.analyzer_id = a.analyzer_id AND r.run_id = a.last_run_id
        ORDER BY a.analyzer_id""").fetchall()
    return [{"id": i, "name": n, "type": t, "version": v, "description": d, "config_json": _json(c), "last_run": last,
             "last_metrics": _json(m)} for i, n, t, v, d, c, last, m in rows]


def analyzer_results(snap: Snapshot, analyzer_id: int, *, limit: int = 100, offset: int = 0) -> list[dict]:
    cur = snap.cursor()
    if not cur.sql("SELECT 1 FROM ml.analyzers WHERE analyzer_id = $a", params={"a": analyzer_id}).fetchall():
        raise NotFound(f"There is no analyzer {analyzer_id}.", "GET /api/analyzers/ lists the analyzers and their ids.")
    rows = cur.sql("""SELECT analyzer_id, entity_type, entity_id, score, output_json, created_at FROM ml.analyzer_results
                      WHERE analyzer_id = $a ORDER BY entity_type, entity_id LIMIT $limit OFFSET $offset""",
                   params={"a": analyzer_id, "limit": limit, "offset": offset}).fetchall()
    return [{"analyzer_id": a, "entity_type": t, "entity_id": e, "score": s, "output_json": _json(o), "timestamp": ts}
            for a, t, e, s, o, ts in rows]


def segments(snap: Snapshot, scope: Scope = ALL, business_unit: str | None = None) -> list[dict]:
    """Segments of the BU asked for (or all); a BU manager sees their BU's segments and the shared ones (no BU)."""
    params: dict = {"bu": business_unit}
    condition = "($bu IS NULL OR business_unit = $bu)"
    if scope.business_unit:
        condition += " AND (business_unit IS NULL OR business_unit = $scope_bu)"
        params["scope_bu"] = scope.business_unit
    if scope.client_id:
        condition += " AND false"
    rows = snap.cursor().sql(f"""SELECT segment_id, name, rules_json, business_unit, members, created_at FROM ml.segments
                                WHERE {condition} ORDER BY name""", params=params).fetchall()
    return [{"id": i, "name": n, "rules": _json(r), "bu": bu, "members": m, "created_at": c} for i, n, r, bu, m, c in rows]


@snapshot_cached
def match_scores(snap: Snapshot, scope: Scope = ALL, *, vacancy_id: str | None = None, candidate_id: str | None = None,
                 top_k: int = 10, reveal_pii: bool = False, pii_key: str = "") -> list[dict]:
    """Top-k candidates of a vacancy, top-k vacancies of a candidate, or one pair's score, from the champion's scores.

    Scope applies through the vacancy's business unit; names and emails are pseudonymized unless revealed.
    """
    cur = snap.cursor()
    checks = []
    if vacancy_id is not None:
        seen = where(scope, None, client_column=None).add("vacancy_id = $id", id=vacancy_id)
        checks.append(("vacancy", vacancy_id, f"SELECT 1 FROM marts.dim_vacancies {seen.sql}", seen.params))
    if candidate_id is not None:
        checks.append(("profiled candidate", candidate_id, "SELECT 1 FROM ml.candidate_profiles WHERE candidate_id = $id",
                       {"id": candidate_id}))
    for what, key, sql, params in checks:
        if not cur.execute(sql, params).fetchall():
            raise NotFound(f"There is no {what} '{key}' you can see.", f"Use the id of a {what} in the current snapshot.")
    w = where(scope, None, bu_column="v.business_unit", client_column=None)
    if vacancy_id is not None and candidate_id is not None:
        w.add("m.vacancy_id = $vacancy AND m.candidate_id = $candidate", vacancy=vacancy_id, candidate=candidate_id)
        rank = "rank_for_vacancy"
    elif vacancy_id is not None:
        w.add("m.vacancy_id = $vacancy AND rank_for_vacancy <= $k", vacancy=vacancy_id, k=top_k)
        rank = "rank_for_vacancy"
    else:
        w.add("m.candidate_id = $candidate AND rank_for_candidate <= $k", candidate=candidate_id, k=top_k)
        rank = "rank_for_candidate"
    return fetch_dicts(snap, f"""SELECT m.vacancy_id, m.candidate_id, m.score, m.similarity, m.skill_coverage, m.experience_fit,
                              m.location_match, m.{rank} AS rank, m.model_version,
                              {pseudonym_sql('c.candidate_name', 'name', 'candidate_name')},
                              {pseudonym_sql('c.email', 'email', 'candidate_email')}
                       FROM ml.match_scores m
                       JOIN marts.dim_vacancies v USING (vacancy_id)
                       LEFT JOIN people.candidate_contacts c USING (candidate_id)
                       {w.sql} ORDER BY m.{rank}""", {**w.params, "reveal_pii": reveal_pii, "pii_key": pii_key})


# What the Models page shows of each family's scores in the warehouse (one summary query per family)
_SCORE_SUMMARIES = {
    "churn": "SELECT business_unit, count(*) AS candidates, avg(churn_probability) AS mean_probability, "
             "count(*) FILTER (risk_decile = 10) AS top_decile, any_value(model_version) AS model_version "
             "FROM ml.churn_scores GROUP BY ALL ORDER BY mean_probability DESC",
    "client-churn": "SELECT business_unit, count(*) AS clients, avg(churn_probability) AS mean_probability, "
                    "count(*) FILTER (risk_decile = 10) AS top_decile, any_value(model_version) AS model_version "
                    "FROM ml.client_churn_scores GROUP BY ALL ORDER BY mean_probability DESC",
    "matching": "SELECT vacancy_id, count(*) FILTER (rank_for_vacancy <= 10) AS shortlisted, max(score) AS best_score, "
                "any_value(model_version) AS model_version FROM ml.match_scores GROUP BY ALL ORDER BY vacancy_id",
    "clusters": "SELECT cluster_id, name, size, description, model_version FROM ml.clusters ORDER BY size DESC",
}
_PROPENSITY_SUMMARY = ("SELECT objective, business_unit, count(*) AS candidates, avg(probability) AS mean_probability, "
                       "any_value(model_version) AS model_version FROM ml.propensity_scores WHERE objective = $o "
                       "GROUP BY ALL ORDER BY business_unit")


def score_summary(snap: Snapshot, family: str) -> pl.DataFrame:
    """The scores a model family wrote, summarised (per BU, vacancy or cluster)."""
    if family.startswith("propensity-"):
        objective = family.removeprefix("propensity-").replace("-", "_")
        return snap.cursor().sql(_PROPENSITY_SUMMARY, params={"o": objective}).pl()
    return snap.cursor().sql(_SCORE_SUMMARIES[family]).pl()


def _json(value):
    return orjson.loads(value) if isinstance(value, (str, bytes)) else value
