"""The matcher's signals and its constrained combiner, on small arrays whose answers are known by construction."""
from __future__ import annotations

import numpy as np
import pytest

from ml.aura.matching import fit_non_negative
from ml.aura.signals import calibrated_similarity, experience_fit, skill_signals


def test_a_language_pair_the_model_reads_worse_is_put_on_the_same_footing():
    rng = np.random.default_rng(0)
    spanish_cvs = rng.uniform(0.2, 0.8, size=(6, 40))
    english_cvs = spanish_cvs - 0.25  # the same relative closeness, every cosine lower: the model's accent
    similarity = np.hstack([spanish_cvs, english_cvs])
    vacancy_language = np.array(["es"] * 6)
    cv_language = np.array(["es"] * 40 + ["en"] * 40)
    calibrated = calibrated_similarity(similarity, vacancy_language, cv_language)
    assert calibrated[:, :40] == pytest.approx(calibrated[:, 40:], abs=1e-5)
    # within a language the order is the cosine's
    order = np.argsort(-similarity[0, :40])
    assert (np.argsort(-calibrated[0, :40]) == order).all()
    # raw, the English CVs would never reach a top 10
    assert (np.argsort(-similarity[0])[:10] < 40).all()


def test_the_best_matches_of_a_language_the_model_separates_less_sharply_still_reach_the_shortlist():
    # per language: 980 unrelated CVs and 20 qualified ones. The model separates Spanish sharply (a tight bulk far
    # below the qualified); English CVs spread wider and their qualified ones sit closer to the bulk.
    spanish = np.concatenate([np.linspace(0.20, 0.40, 980), np.linspace(0.60, 0.70, 20)])
    english = np.concatenate([np.linspace(0.00, 0.50, 980), np.linspace(0.55, 0.60, 20)])
    similarity = np.concatenate([spanish, english])[None, :]
    cv_language = np.array(["es"] * 1000 + ["en"] * 1000)
    calibrated = calibrated_similarity(similarity, np.array(["es"]), cv_language)
    shortlist = np.argsort(-calibrated[0], kind="stable")[:20]
    english_shortlisted = int((shortlist >= 1000).sum())
    assert 7 <= english_shortlisted <= 13, english_shortlisted
    # and every shortlisted CV is a qualified one, of either language
    assert set(shortlist.tolist()) <= set(range(980, 1000)) | set(range(1980, 2000))


def test_a_lone_pair_or_a_flat_block_is_neutral_not_an_error():
    out = calibrated_similarity(np.array([[0.5, 0.7]]), np.array(["es"]), np.array(["es", "en"]))
    assert (out == 0).all()
    flat = calibrated_similarity(np.full((1, 3), 0.4), np.array(["es"]), np.array(["es"] * 3))
    assert (flat == 0).all()


def test_a_block_mostly_tied_still_ranks_its_better_match_first():
    similarity = np.array([[0.5] * 150 + [0.9]])
    out = calibrated_similarity(similarity, np.array(["es"]), np.array(["es"] * 151))
    assert out[0, -1] > 0 and (out[0, :-1] == 0).all()


def test_skill_signals_meet_across_languages_and_weigh_rare_skills_more():
    # canonical labels: the same skills from a Spanish and an English CV are the same strings
    vacancies = [["Contabilidad", "Excel", "SAP"]]
    candidates = [["Contabilidad", "Excel", "SAP"], ["Excel"], ["SAP"], [], ["Excel"], ["Excel"]]
    coverage, profile = skill_signals(vacancies, candidates)
    assert coverage[0].tolist() == pytest.approx([1.0, 1 / 3, 1 / 3, 0.0, 1 / 3, 1 / 3])
    assert profile[0, 0] == pytest.approx(1.0)
    # SAP is held by one candidate, Excel by four: SAP alone is the closer profile
    assert profile[0, 2] > profile[0, 1] > 0 and profile[0, 3] == 0


def test_experience_fit_is_full_from_the_minimum_and_linear_below():
    fit = experience_fit(np.array([0.0, 2.0, 4.0, 9.0]), np.array([4.0, 0.0]))
    assert fit[0].tolist() == [0.0, 0.5, 1.0, 1.0] and fit[1].tolist() == [1.0] * 4


def test_the_combiner_never_turns_a_signal_against_the_match():
    rng = np.random.default_rng(1)
    helpful = rng.normal(size=4000)
    # a signal that moves with the helpful one but, given it, against the label: logistic regression gives it a
    # negative weight; the constrained fit leaves it out instead
    y = (helpful + rng.normal(scale=0.5, size=4000) > 0).astype(int)
    confounded = helpful + rng.normal(scale=0.3, size=4000) - 0.8 * y
    x = np.column_stack([helpful, confounded, rng.normal(size=4000)])
    from sklearn.linear_model import LogisticRegression

    assert LogisticRegression().fit(x, y).coef_[0][1] < 0
    model = fit_non_negative(x, y)
    assert model.coef_[0][1] == 0 and model.coef_[0][0] > 0 and (model.coef_[0] >= 0).all()
