"""Candidate-vacancy matching: the signals of ml.aura.signals weighed into one match probability.

A logistic regression learned on training vacancies weighs the signals, each weight held at zero or
above (a signal may be ignored, never turned against the match). Quality is judged twice: on held-out
vacancies against the generator's ground truth (``models.ground_truth.match_grade``) beside TF-IDF,
BM25 and the embedding alone; and on the team's real set (ml.aura.real_set), where a matcher that ranks
real postings below its embedding alone or BM25 is not promoted. An adverse-impact check measures who
reaches the top 10 among qualified candidates, by gender and by CV language.
"""
from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from foundation.errors import UserError
from foundation.settings import get_settings
from ml.aura import real_set
from ml.aura.embeddings import embed
from ml.aura.fairness import gender_of_first_name
from ml.aura.lexical import bm25_scores, tfidf_scores
from ml.aura.signals import FEATURE_NAMES, MatchData, pair_signals, vacancy_texts
from ml.evaluation import adverse_impact, importance_figure, ranking_metrics
from ml.tracking import TrainedModel, frame_fingerprint
from models.ground_truth import CV_SKILLS, RELEVANT_GRADE, VACANCIES, read_truth

PRIMARY_METRIC = "ndcg_at_10"
TEST_SHARE = 0.4
TOP_K = 10

log = logging.getLogger(__name__)


def load(con: duckdb.DuckDBPyConnection) -> MatchData:
    candidates = con.sql("""
        SELECT p.candidate_id, v.cv_text, p.skills, p.years_experience, p.state, c.first_name, p.cv_language
        FROM ml.candidate_profiles p
        JOIN staging.stg_scraped__cvs v USING (candidate_id)
        JOIN staging.stg_scraped__candidates c USING (candidate_id)
        ORDER BY p.candidate_id""").pl()
    vacancies = con.sql("""SELECT vacancy_id, business_unit, title, description, required_skills, min_years_experience, state,
                                  language
                           FROM staging.stg_ats__vacancies ORDER BY vacancy_id""").pl()
    if candidates.is_empty() or vacancies.is_empty():
        raise UserError("There are no profiled candidates or no vacancies to match.",
                        "Run the pipeline (`huntred run`) so the CV analyzer and the vacancies are in the warehouse.")
    texts = candidates["cv_text"].to_list() + vacancy_texts(vacancies)
    vectors, stats = embed(con, texts)
    return MatchData(candidates, vacancies, vectors[:candidates.height], vectors[candidates.height:], stats)


def lexical_baselines(data: MatchData) -> dict[str, np.ndarray]:
    """The plain baselines on the same texts, (vacancies x candidates): each vacancy's text searching the CVs."""
    cvs, vacancies = data.candidates["cv_text"].to_list(), data.vacancy_texts()
    return {"tfidf": tfidf_scores(vacancies, cvs), "bm25": bm25_scores(vacancies, cvs)}


def fit_non_negative(x: np.ndarray, y: np.ndarray, *, C: float = 1.0, class_weight=None,
                     sample_weight: np.ndarray | None = None):
    """Logistic regression whose weights are all >= 0: refit without the most negative signal until none is.

    On the generator's data a signal can earn a negative weight from how the generator made it (two signals
    that move together); on real texts that weight would push good matches down, so a signal either helps or
    is left out.
    """
    from sklearn.linear_model import LogisticRegression

    active = np.ones(x.shape[1], dtype=bool)
    while True:
        model = LogisticRegression(C=C, class_weight=class_weight, max_iter=1000).fit(
            np.where(active, x, 0.0), y, sample_weight=sample_weight)
        coef = model.coef_[0]
        if (coef[active] >= 0).all() or active.sum() == 1:
            model.coef_[0, ~active] = 0.0
            return model
        active[int(np.argmin(np.where(active, coef, np.inf)))] = False


#: the generator's pairs a fit uses at most (a uniform sample beyond): five weights need far fewer, and the
#: leave-one-résumé-out refits on the real set stay cheap at any scale
MAX_GENERATED_PAIRS = 400_000


def fit_on_both(generated_x: np.ndarray, generated_y: np.ndarray, real_x: np.ndarray | None, real_y: np.ndarray | None,
                *, C: float = 1.0, class_weight=None):
    """The combiner, fitted on the generator's ground truth and the team's real grades, each carrying half the weight.

    The generator's truth alone rewards what the generator was written with (its grades add a point for enough
    years, another for the same state), and a matcher fitted on it ranks real postings below its own embedding;
    the real grades alone are a few hundred relevant pairs and cannot weigh location at all. Together, each half,
    the weights must serve both. Without a real set the fit is the generator's alone.
    """
    if real_x is None or not len(real_x):
        return fit_non_negative(generated_x, generated_y, C=C, class_weight=class_weight)
    weight = np.concatenate([np.full(len(generated_x), 0.5 / len(generated_x)), np.full(len(real_x), 0.5 / len(real_x))])
    return fit_non_negative(np.vstack([generated_x, real_x]), np.concatenate([generated_y, real_y]), C=C,
                            class_weight=class_weight, sample_weight=weight * len(weight))


def _sample(x: np.ndarray, y: np.ndarray, limit: int = MAX_GENERATED_PAIRS) -> tuple[np.ndarray, np.ndarray]:
    if len(x) <= limit:
        return x, y
    keep = np.random.default_rng(0).choice(len(x), size=limit, replace=False)
    return x[keep], y[keep]


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


def train(con: duckdb.DuckDBPyConnection, landing_dir: Path, params: dict | None = None,
          real_set_dir: Path | None = None) -> TrainedModel:
    params = {"C": 1.0, "class_weight": None, **(params or {})}
    data = load(con)
    log.info(f"matching {data.candidates.height:,} candidates with {data.vacancies.height:,} vacancies…")
    signals = pair_signals(data)
    features = signals.features
    truth = grades(data, landing_dir)
    test = np.array([is_test_vacancy(v) for v in data.vacancies["vacancy_id"]])
    if test.all() or not test.any():
        raise UserError("Too few vacancies to hold some out for evaluation.", "Generate a larger sample (--scale 0.1 or more).")
    train_x, train_y = _sample(features[~test].reshape(-1, len(FEATURE_NAMES)),
                               (truth[~test] >= RELEVANT_GRADE).reshape(-1).astype(int))
    directory = real_set_dir or get_settings().real_set_dir
    real = real_set.load(con, directory) if real_set.available(directory) else None
    if real is None:
        log.warning(f"no real evaluation set at {directory}: the matcher is fitted on generated data only and "
                    "cannot be judged on real texts, so it will not be promoted")
    fit = lambda real_columns: fit_on_both(  # noqa: E731
        train_x, train_y, *(real_set.pairs(real, real_columns) if real is not None else (None, None)),
        C=params["C"], class_weight=params["class_weight"])
    model = fit(None)

    def evaluate(other) -> dict[str, float]:
        return ranking_metrics(scores_of(other, features[test]), truth[test], RELEVANT_GRADE)

    metrics = evaluate(model)
    references = {**lexical_baselines(data), "embedding_only": signals.raw_similarity}
    names = {"tfidf": "baseline_tfidf", "bm25": "baseline_bm25", "embedding_only": "embedding_only"}
    for key, scores in references.items():
        found = ranking_metrics(scores[test], truth[test], RELEVANT_GRADE)
        metrics.update({f"{names[key]}_{k}": v for k, v in found.items() if k != "queries"})
    impact = impact_report(data, scores_of(model, features[test]), truth[test], test)
    metrics["min_impact_ratio"] = float(impact["impact_ratio"].min()) if impact.height else 1.0
    real_checks: dict = {}
    if real is not None:
        real_metrics, real_checks = on_real_set(real, fit)
        metrics.update(real_metrics)
    weights = dict(zip(FEATURE_NAMES, model.coef_[0].round(4).tolist()))
    return TrainedModel(
        model=model, metrics=metrics, features=FEATURE_NAMES,
        params={**params, "relevant_grade": RELEVANT_GRADE, "test_share": TEST_SHARE, "top_k": TOP_K,
                "embedding_model": data.embedding_stats.model_id, "weights": weights, "intercept": float(model.intercept_[0]),
                "baseline": "TF-IDF (1-2 grams, accents stripped) cosine; BM25 beside it",
                "fitted_on": "generated ground truth + real grades, half each" if real is not None else "generated ground truth"},
        data={**frame_fingerprint(candidates=data.candidates.drop("cv_text"), vacancies=data.vacancies),
              "test_vacancies": int(test.sum()), "train_vacancies": int((~test).sum()),
              "texts_embedded": data.embedding_stats.embedded, "texts_from_cache": data.embedding_stats.cached,
              "real_resumes": real.grades.shape[1] if real is not None else 0,
              "real_postings": real.grades.shape[0] if real is not None else 0},
        evaluate=evaluate, figures={"weights.png": _weights_figure(weights)},
        tables={"adverse_impact.csv": impact}, input_example=features[:1, :3].reshape(-1, len(FEATURE_NAMES)),
        fairness=impact_ratios(impact), real_set=real_checks,
    )


def on_real_set(real: real_set.RealMatchingSet, fit) -> tuple[dict[str, float], dict]:
    """The real-set figures of a matcher fitted with every résumé's grades but one, scoring that one (leave one
    résumé out), so no résumé is ranked by weights that saw its grades; its references' beside it; and the gate's
    comparisons. ``fit(columns)`` fits on the generator's pairs and those résumés' real pairs."""
    n = real.grades.shape[1]
    scores = np.zeros(real.grades.shape, dtype=np.float64)
    for held_out in range(n):
        others = np.array([j for j in range(n) if j != held_out])
        model = fit(others)
        scores[:, held_out] = scores_of(model, real.signals.features[:, [held_out]])[:, 0]
    mine = real_set.metrics_of(scores, real)
    refs = real_set.references(real)
    metrics = {f"real_{k}": v for k, v in mine.items()}
    for ref, found in refs.items():
        metrics.update({f"real_{ref}_{k}": v for k, v in found.items()})
    return metrics, real_set.gate_checks(mine, refs)


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
    """Top 50 candidates per vacancy and top 10 vacancies per candidate, with the signals a reader can check
    (similarity is the embedding's plain cosine here, not the per-language-pair rescaled one the model weighs)."""
    data = load(con)
    signals = pair_signals(data)
    features = signals.features
    s = scores_of(model, features)
    rank_v = (-s).argsort(axis=1, kind="stable").argsort(axis=1) + 1  # rank of each candidate within its vacancy
    rank_c = (-s).argsort(axis=0, kind="stable").argsort(axis=0) + 1  # rank of each vacancy within its candidate
    keep = (rank_v <= 50) | (rank_c <= 10)
    vi, ci = np.nonzero(keep)
    return pl.DataFrame({
        "vacancy_id": data.vacancies["vacancy_id"].to_numpy()[vi], "candidate_id": data.candidates["candidate_id"].to_numpy()[ci],
        "score": s[vi, ci].round(5), "similarity": signals.raw_similarity[vi, ci].round(4),
        "skill_coverage": features[vi, ci, FEATURE_NAMES.index("skill_coverage")].round(4),
        "experience_fit": features[vi, ci, FEATURE_NAMES.index("experience_fit")].round(4),
        "location_match": features[vi, ci, FEATURE_NAMES.index("location_match")],
        "rank_for_vacancy": rank_v[vi, ci].astype(np.int32), "rank_for_candidate": rank_c[vi, ci].astype(np.int32),
    }).with_columns(model_version=pl.lit(version))
