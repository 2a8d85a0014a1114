"""Read queries over the ml schema of the serving snapshot (API and CLI), each a parameterised SQL."""
from __future__ import annotations

import orjson
import polars as pl

from huntred.errors import NotFound
from huntred.serving import Snapshot


def churn_scores(snap: Snapshot, *, business_unit: str | None = None, min_probability: float = 0.0,
                 limit: int = 100, offset: int = 0) -> list[dict]:
    rows = snap.cursor().sql("""
        SELECT candidate_id, business_unit, churn_probability, risk_decile, top_reasons, model_version, cutoff
        FROM ml.churn_scores
        WHERE ($bu IS NULL OR business_unit = $bu) AND churn_probability >= $min
        ORDER BY churn_probability DESC, candidate_id LIMIT $limit OFFSET $offset""",
        params={"bu": business_unit, "min": min_probability, "limit": limit, "offset": offset}).fetchall()
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


def segments(snap: Snapshot, business_unit: str | None = None) -> list[dict]:
    rows = snap.cursor().sql("""SELECT segment_id, name, rules_json, business_unit, members, created_at FROM ml.segments
                                WHERE $bu IS NULL OR business_unit = $bu ORDER BY name""", params={"bu": business_unit}).fetchall()
    return [{"id": i, "name": n, "rules": _json(r), "bu": bu, "members": m, "created_at": c} for i, n, r, bu, m, c in rows]


def match_scores(snap: Snapshot, *, vacancy_id: str | None = None, candidate_id: str | None = None, top_k: int = 10) -> list[dict]:
    """Top-k candidates of a vacancy, or top-k vacancies of a candidate, from the champion's scores."""
    cur = snap.cursor()
    if vacancy_id is not None:
        rank, where, known = "rank_for_vacancy", "vacancy_id = $id", "SELECT 1 FROM staging.stg_ats__vacancies WHERE vacancy_id = $id"
        what, key = "vacancy", vacancy_id
    else:
        rank, where, known = "rank_for_candidate", "candidate_id = $id", "SELECT 1 FROM ml.candidate_profiles WHERE candidate_id = $id"
        what, key = "profiled candidate", candidate_id
    if not cur.sql(known, params={"id": key}).fetchall():
        raise NotFound(f"There is no {what} '{key}'.", f"Use the id of a {what} in the current snapshot.")
    rows = cur.sql(f"""SELECT vacancy_id, candidate_id, score, similarity, skill_coverage, experience_fit, location_match,
                              {rank} AS rank, model_version
                       FROM ml.match_scores WHERE {where} AND {rank} <= $k ORDER BY {rank}""",
                   params={"id": key, "k": top_k}).pl()
    return rows.to_dicts()


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
