"""Candidate-vacancy matching: embedding similarity, skill coverage, experience and location in one score.

The four signals are computed for every (vacancy, candidate) pair as arrays; a
logistic regression learned on training vacancies weighs them into a match
probability. Quality is judged on held-out vacancies against the generator's
ground truth (``models.ground_truth.match_grade``), beside a plain
TF-IDF baseline on the same texts, with an adverse-impact check of who reaches the
top 10 among qualified candidates.
"""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from foundation.errors import UserError
from ml.analyzers.taxonomy import fold, load_taxonomy
from ml.aura.embeddings import EmbeddingStats, embed
from ml.aura.fairness import gender_of_first_name
from ml.evaluation import adverse_impact, importance_figure, ranking_metrics
from ml.tracking import TrainedModel, frame_fingerprint
from models.ground_truth import CV_SKILLS, RELEVANT_GRADE, VACANCIES, read_truth

PRIMARY_METRIC = "ndcg_at_10"
FEATURE_NAMES = ["similarity", "skill_coverage", "experience_fit", "location_match"]
TEST_SHARE = 0.4
TOP_K = 10


@dataclass
class MatchData:
    candidates: pl.DataFrame  # candidate_id, cv_text, skills, years_experience, state, first_name, cv_language
    vacancies: pl.DataFrame  # vacancy_id, title, description, required_skills, min_years_experience, state
    candidate_vectors: np.ndarray
    vacancy_vectors: np.ndarray
    embedding_stats: EmbeddingStats


log = logging.getLogger(__name__)


def load(con: duckdb.DuckDBPyConnection) -> MatchData:
    candidates = con.sql("""
        SELECT p.candidate_id, v.cv_text, p.skills, p.years_experience, p.state, c.first_name, p.cv_language
        FROM ml.candidate_profiles p
        JOIN staging.stg_scraped__cvs v USING (candidate_id)
        JOIN staging.stg_scraped__candidates c USING (candidate_id)
        ORDER BY p.candidate_id""").pl()
    vacancies = con.sql("""SELECT vacancy_id, business_unit, title, description, required_skills, min_years_experience, state
                           FROM staging.stg_ats__vacancies ORDER BY vacancy_id""").pl()
    if candidates.is_empty() or vacancies.is_empty():
        raise UserError("There are no profiled candidates or no vacancies to match.",
                        "Run the pipeline (`huntred run`) so the CV analyzer and the vacancies are in the warehouse.")
    texts = candidates["cv_text"].to_list() + [f"{t}\n{d}" for t, d in vacancies.select("title", "description").iter_rows()]
    vectors, stats = embed(con, texts)
    return MatchData(candidates, vacancies, vectors[:candidates.height], vectors[candidates.height:], stats)


def skill_matrix(skill_lists: list[list[str]], vocabulary: dict[str, int]) -> np.ndarray:
    taxonomy = load_taxonomy()
    m = np.zeros((len(skill_lists), len(vocabulary)), dtype=np.float32)
    for i, skills in enumerate(skill_lists):
        for s in skills or []:
            j = vocabulary.get(taxonomy.canonical(s) or s)
            if j is not None:
                m[i, j] = 1.0
    return m


def pair_features(data: MatchData) -> np.ndarray:
    """(vacancies x candidates x 4): similarity, share of required skills held, experience fit, same state."""
    vocabulary = {label: i for i, label in enumerate(load_taxonomy().labels)}
    similarity = data.vacancy_vectors @ data.candidate_vectors.T
    required = skill_matrix(data.vacancies["required_skills"].to_list(), vocabulary)
    held = skill_matrix(data.candidates["skills"].to_list(), vocabulary)
    coverage = (required @ held.T) / np.maximum(required.sum(axis=1, keepdims=True), 1)
    years = data.candidates["years_experience"].fill_null(0).to_numpy().astype(np.float32)
    need = data.vacancies["min_years_experience"].fill_null(0).to_numpy().astype(np.float32)
    # full marks from the minimum up; short of it, falls linearly to 0 at no experience
    experience = np.clip(years[None, :] / np.maximum(need[:, None], 1), 0, 1)
    experience[need == 0, :] = 1.0
    fold_state = lambda s: fold(s) if s else ""  # noqa: E731
    cand_state = np.array([fold_state(s) for s in data.candidates["state"].to_list()])
    vac_state = np.array([fold_state(s) for s in data.vacancies["state"].to_list()])
    location = (vac_state[:, None] == cand_state[None, :]) & (cand_state[None, :] != "")
    return np.stack([similarity, coverage, experience, location.astype(np.float32)], axis=-1)


def tfidf_scores(data: MatchData) -> np.ndarray:
    """The plain baseline: TF-IDF cosine between each vacancy's text and each CV (accents stripped)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vacancy_texts = [f"{t}\n{d}" for t, d in data.vacancies.select("title", "description").iter_rows()]
    vectorizer = TfidfVectorizer(strip_accents="unicode", lowercase=True, sublinear_tf=True, ngram_range=(1, 2), min_df=1)
    matrix = vectorizer.fit_transform(data.candidates["cv_text"].to_list() + vacancy_texts)
    cands, vacs = matrix[:data.candidates.height], matrix[data.candidates.height:]
    return (vacs @ cands.T).toarray()


def grades(data: MatchData, landing_dir: Path) -> np.ndarray:
    """Ground-truth grade of every (vacancy, candidate) pair; raises if the sample's ground truth is missing.

    The rule is ``models.ground_truth.match_grade``, applied to whole arrays at once; a test checks the two agree.
    """
    cand_truth = {t["candidate_id"]: t for t in read_truth(landing_dir, CV_SKILLS)}
    vac_truth = {t["vacancy_id"]: t for t in read_truth(landing_dir, VACANCIES)}
    if not cand_truth or not vac_truth:
        raise UserError("Matching is evaluated against ground truth, and none was found in the landing zone.",
                        "Generate the sample data (`huntred generate`) or add ground_truth/{cv_skills,vacancies}.jsonl.")
    families = {role: family for t in (*cand_truth.values(), *vac_truth.values()) for role, family in [(t["role_index"], t["role_family"])]}
    family_id = {f: i for i, f in enumerate(sorted(set(families.values())))}
    state_id: dict[str, int] = {}

    def columns(ids, truth: dict, years_key: str):
        rows = [truth.get(i) for i in ids]
        known = np.array([r is not None for r in rows])
        role = np.array([r["role_index"] if r else -1 for r in rows])
        family = np.array([family_id[r["role_family"]] if r else -2 for r in rows])
        years = np.array([r[years_key] if r else 0 for r in rows])
        state = np.array([state_id.setdefault(r["state"], len(state_id)) if r else -1 for r in rows])
        return known, role, family, years, state

    ck, crole, cfam, cyears, cstate = columns(data.candidates["candidate_id"].to_list(), cand_truth, "years_experience")
    vk, vrole, vfam, vyears, vstate = columns(data.vacancies["vacancy_id"].to_list(), vac_truth, "min_years_experience")
    same_role = vrole[:, None] == crole[None, :]
    same_family = vfam[:, None] == cfam[None, :]
    grade = np.where(same_role, 2, np.where(same_family, 1, 0))
    same_state = (vstate[:, None] == cstate[None, :]) & (vstate[:, None] >= 0)
    fits = (cyears[None, :] >= vyears[:, None]).astype(np.int8) + same_state.astype(np.int8)
    grade = np.where(grade > 0, grade + fits, 0)
    return (grade * (vk[:, None] & ck[None, :])).astype(np.int8)


def is_test_vacancy(vacancy_id: str) -> bool:
    """A stable 40% of vacancies is held out (by hash of the id), the same in every run."""
    return int(hashlib.sha256(vacancy_id.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF < TEST_SHARE


def scores_of(model, features: np.ndarray) -> np.ndarray:
    v, c, f = features.shape
    return model.predict_proba(features.reshape(-1, f))[:, 1].reshape(v, c)


def train(con: duckdb.DuckDBPyConnection, landing_dir: Path, params: dict | None = None) -> TrainedModel:
    from sklearn.linear_model import LogisticRegression

    params = {"C": 1.0, "class_weight": None, **(params or {})}
    data = load(con)
    log.info(f"matching {data.candidates.height:,} candidates with {data.vacancies.height:,} vacancies…")
    features = pair_features(data)
    truth = grades(data, landing_dir)
    test = np.array([is_test_vacancy(v) for v in data.vacancies["vacancy_id"]])
    if test.all() or not test.any():
        raise UserError("Too few vacancies to hold some out for evaluation.", "Generate a larger sample (--scale 0.1 or more).")
    train_x = features[~test].reshape(-1, len(FEATURE_NAMES))
    train_y = (truth[~test] >= RELEVANT_GRADE).reshape(-1).astype(int)
    model = LogisticRegression(C=params["C"], class_weight=params["class_weight"], max_iter=1000).fit(train_x, train_y)

    def evaluate(other) -> dict[str, float]:
        return ranking_metrics(scores_of(other, features[test]), truth[test], RELEVANT_GRADE)

    metrics = evaluate(model)
    baseline = ranking_metrics(tfidf_scores(data)[test], truth[test], RELEVANT_GRADE)
    embedding_only = ranking_metrics(features[test][..., 0], truth[test], RELEVANT_GRADE)
    metrics.update({f"baseline_tfidf_{k}": v for k, v in baseline.items() if k != "queries"})
    metrics.update({f"embedding_only_{k}": v for k, v in embedding_only.items() if k != "queries"})
    impact = impact_report(data, scores_of(model, features[test]), truth[test], test)
    metrics["min_impact_ratio"] = float(impact["impact_ratio"].min()) if impact.height else 1.0
    weights = dict(zip(FEATURE_NAMES, model.coef_[0].round(4).tolist()))
    return TrainedModel(
        model=model, metrics=metrics, features=FEATURE_NAMES,
        params={**params, "relevant_grade": RELEVANT_GRADE, "test_share": TEST_SHARE, "top_k": TOP_K,
                "embedding_model": "all-MiniLM-L6-v2", "weights": weights, "intercept": float(model.intercept_[0]),
                "baseline": "TF-IDF (1-2 grams, accents stripped) cosine"},
        data={**frame_fingerprint(candidates=data.candidates.drop("cv_text"), vacancies=data.vacancies),
              "test_vacancies": int(test.sum()), "train_vacancies": int((~test).sum()),
              "texts_embedded": data.embedding_stats.embedded, "texts_from_cache": data.embedding_stats.cached},
        evaluate=evaluate, figures={"weights.png": _weights_figure(weights)},
        tables={"adverse_impact.csv": impact}, input_example=features[:1, :3].reshape(-1, len(FEATURE_NAMES)),
        fairness=impact_ratios(impact),
    )


def impact_ratios(impact: pl.DataFrame) -> dict[str, float]:
    """Each group's impact ratio, named in plain words ("CV language 'en'"), for the promotion gate. A dimension in
    which nobody qualified reached a top 10 has no ratio (NaN): there is nothing to compare, so it is left out."""
    if impact.is_empty():
        return {}
    return {f"{dimension.split(' (')[0]} '{group}'": ratio
            for dimension, group, ratio in impact.select("dimension", "group", "impact_ratio").iter_rows()
            if ratio is not None and np.isfinite(ratio)}


def impact_report(data: MatchData, scores: np.ndarray, truth: np.ndarray, test: np.ndarray) -> pl.DataFrame:
    """Selection rate into each test vacancy's top 10 among *qualified* candidates (right role), per group."""
    gender = np.array([gender_of_first_name(n) for n in data.candidates["first_name"].to_list()])
    language = np.array(data.candidates["cv_language"].fill_null("unknown").to_list())
    selected, groups_g, groups_l = [], [], []
    for s, g in zip(scores, truth):
        qualified = g >= 2
        top = np.zeros_like(qualified)
        top[np.argsort(-s, kind="stable")[:TOP_K]] = True
        selected.append(top[qualified])
        groups_g.append(gender[qualified])
        groups_l.append(language[qualified])
    if not selected:
        return pl.DataFrame()
    sel = np.concatenate(selected)
    rows = [{"dimension": "gender (estimated from first name)", **r} for r in adverse_impact(sel, np.concatenate(groups_g))]
    rows += [{"dimension": "CV language", **r} for r in adverse_impact(sel, np.concatenate(groups_l))]
    return pl.DataFrame(rows)


def _weights_figure(weights: dict[str, float]):

    return importance_figure(weights, "Weight of each signal (logistic regression)")


def score(con: duckdb.DuckDBPyConnection, model, version: str) -> pl.DataFrame:
    """Top 50 candidates per vacancy and top 10 vacancies per candidate, with the four signals."""
    data = load(con)
    features = pair_features(data)
    s = scores_of(model, features)
    rank_v = (-s).argsort(axis=1, kind="stable").argsort(axis=1) + 1  # rank of each candidate within its vacancy
    rank_c = (-s).argsort(axis=0, kind="stable").argsort(axis=0) + 1  # rank of each vacancy within its candidate
    keep = (rank_v <= 50) | (rank_c <= 10)
    vi, ci = np.nonzero(keep)
    return pl.DataFrame({
        "vacancy_id": data.vacancies["vacancy_id"].to_numpy()[vi], "candidate_id": data.candidates["candidate_id"].to_numpy()[ci],
        "score": s[vi, ci].round(5), "similarity": features[vi, ci, 0].round(4), "skill_coverage": features[vi, ci, 1].round(4),
        "experience_fit": features[vi, ci, 2].round(4), "location_match": features[vi, ci, 3],
        "rank_for_vacancy": rank_v[vi, ci].astype(np.int32), "rank_for_candidate": rank_c[vi, ci].astype(np.int32),
    }).with_columns(model_version=pl.lit(version))
