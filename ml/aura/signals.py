"""The signals a match is made of, for every (vacancy, candidate) pair at once, as arrays.

- ``similarity``: cosine of the two texts' embeddings, *calibrated per language pair*. The embedding
  model reads English best, so a Spanish vacancy and an English CV look less alike than two Spanish
  texts saying the same. Within each (vacancy language, CV language) pair the cosine is rescaled so
  that the pair's median is 0 and its 99th percentile 1: the ranking inside a language is kept, and the
  *top* of every pair's distribution, where a shortlist is drawn, stands on the same footing (the
  four-fifths check measures it).
- ``skill_coverage``: the share of the vacancy's skills the candidate holds.
- ``skill_profile``: cosine of the two canonical-skill profiles, each skill weighted by its rarity
  among candidates. Skills are canonical labels (ESCO gives both languages), so "Contabilidad" and
  "Accounting" meet: the language-neutral twin of a word overlap.
- ``experience_fit``: full marks from the years the vacancy asks (its field, or its text) upwards.
- ``location_match``: same state.

The vacancy's skills and years come from its fields and from its text alike (ml.analyzers.vacancy),
so a posting written elsewhere is read as one published through the ATS.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from ml.analyzers.cv import cv_language
from ml.analyzers.taxonomy import fold, load_taxonomy
from ml.analyzers.vacancy import required_years, vacancy_skills
from ml.aura.embeddings import EmbeddingStats

FEATURE_NAMES = ["similarity", "skill_coverage", "skill_profile", "experience_fit", "location_match"]


def vacancy_texts(vacancies: pl.DataFrame) -> list[str]:
    """What is embedded and searched of a vacancy: its title, then its description."""
    return [f"{t}\n{d}" for t, d in vacancies.select("title", "description").iter_rows()]


@dataclass
class MatchData:
    candidates: pl.DataFrame  # candidate_id, cv_text, skills, years_experience, state, first_name, cv_language
    vacancies: pl.DataFrame  # vacancy_id, title, description, required_skills, min_years_experience, state, language
    candidate_vectors: np.ndarray
    vacancy_vectors: np.ndarray
    embedding_stats: EmbeddingStats

    def vacancy_texts(self) -> list[str]:
        return vacancy_texts(self.vacancies)


@dataclass
class Signals:
    features: np.ndarray  # (vacancies x candidates x len(FEATURE_NAMES))
    raw_similarity: np.ndarray  # the embedding's own cosine, before calibration: the "embedding alone" reference


#: the share of a language pair's cosines the calibration anchors on: its median and this upper quantile
CALIBRATION_TOP = 0.99


def calibrated_similarity(similarity: np.ndarray, vacancy_language: np.ndarray, candidate_language: np.ndarray) -> np.ndarray:
    """Each cosine rescaled within its (vacancy language, CV language) pair: the pair's median to 0, its 99th
    percentile to 1.

    A z-score over all pairs (this function's first form) equalises the bulk, where nobody is shortlisted: the
    model separates English CVs from a Spanish vacancy less sharply, so their best matches sat lower in the
    z-scale and reached the top 10 at 0.68 the rate of Spanish ones among qualified candidates (scale 1). Anchoring
    on the top percentile lines up what a shortlist is made of (0.89 on the same data, 0.86 at scale 10 where the
    z-score gave 0.56; README "Matching").
    """
    out = np.zeros_like(similarity, dtype=np.float32)
    for lv in np.unique(vacancy_language):
        for lc in np.unique(candidate_language):
            block = np.ix_(vacancy_language == lv, candidate_language == lc)
            values = similarity[block]
            if values.size < 2:
                continue
            middle, top = np.quantile(values, [0.5, CALIBRATION_TOP])
            top = top if top > middle else values.max()  # a block mostly tied still ranks its few better matches
            if top > middle:
                out[block] = (values - middle) / (top - middle)
    return out


def skill_sets(data: MatchData) -> tuple[list[list[str]], list[list[str]]]:
    """Canonical skills of each vacancy (fields and text) and of each candidate (the CV analyzer's)."""
    taxonomy = load_taxonomy()
    vacancies = [vacancy_skills(t, d, r) for t, d, r in
                 data.vacancies.select("title", "description", "required_skills").iter_rows()]
    candidates = [list(dict.fromkeys(taxonomy.canonical(s) or s for s in skills or []))
                  for skills in data.candidates["skills"].to_list()]
    return vacancies, candidates


def skill_matrix(skill_lists: list[list[str]], vocabulary: dict[str, int]) -> np.ndarray:
    """One row per list, one column per vocabulary skill, 1 where the list names it (under any of its names)."""
    taxonomy = load_taxonomy()
    m = np.zeros((len(skill_lists), len(vocabulary)), dtype=np.float32)
    for i, skills in enumerate(skill_lists):
        for s in skills or []:
            j = vocabulary.get(taxonomy.canonical(s) or s)
            if j is not None:
                m[i, j] = 1.0
    return m


def skill_signals(vacancy_skills_: list[list[str]], candidate_skills: list[list[str]]) -> tuple[np.ndarray, np.ndarray]:
    """(coverage, profile cosine), both (vacancies x candidates)."""
    vocabulary: dict[str, int] = {}
    for skills in (*vacancy_skills_, *candidate_skills):
        for s in skills:
            vocabulary.setdefault(s, len(vocabulary))
    required, held = skill_matrix(vacancy_skills_, vocabulary), skill_matrix(candidate_skills, vocabulary)
    coverage = (required @ held.T) / np.maximum(required.sum(axis=1, keepdims=True), 1)
    # a skill every candidate has says little about a match; a rare one says much (smoothed IDF over candidates)
    idf = np.log((1 + held.shape[0]) / (1 + held.sum(axis=0))) + 1
    v, c = required * idf, held * idf
    v /= np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-9)
    c /= np.maximum(np.linalg.norm(c, axis=1, keepdims=True), 1e-9)
    return coverage.astype(np.float32), (v @ c.T).astype(np.float32)


def experience_fit(candidate_years: np.ndarray, required: np.ndarray) -> np.ndarray:
    """Full marks from the vacancy's minimum up; short of it, falls linearly to 0 at no experience."""
    fit = np.clip(candidate_years[None, :] / np.maximum(required[:, None], 1), 0, 1)
    fit[required == 0, :] = 1.0
    return fit.astype(np.float32)


def required_years_of(data: MatchData) -> np.ndarray:
    """The vacancy's own minimum where it states one, else what its text asks (0: nothing asked)."""
    stated = data.vacancies["min_years_experience"].to_list()
    return np.array([given if given is not None else (required_years(text) or 0)
                     for given, text in zip(stated, data.vacancy_texts())], dtype=np.float32)


def pair_signals(data: MatchData) -> Signals:
    similarity = data.vacancy_vectors @ data.candidate_vectors.T
    # the language the vacancy was published in (the ATS and the postings say it); read from its text when absent
    stated = data.vacancies["language"].to_list() if "language" in data.vacancies.columns else [None] * data.vacancies.height
    vacancy_language = np.array([lang or cv_language(text) for lang, text in zip(stated, data.vacancy_texts())])
    candidate_language = np.array([lang or cv_language(text) for lang, text in
                                   data.candidates.select("cv_language", "cv_text").iter_rows()])
    coverage, profile = skill_signals(*skill_sets(data))
    years = data.candidates["years_experience"].fill_null(0).to_numpy().astype(np.float32)
    fold_state = lambda s: fold(s) if s else ""  # noqa: E731
    cand_state = np.array([fold_state(s) for s in data.candidates["state"].to_list()])
    vac_state = np.array([fold_state(s) for s in data.vacancies["state"].to_list()])
    location = (vac_state[:, None] == cand_state[None, :]) & (cand_state[None, :] != "")
    features = np.stack([calibrated_similarity(similarity, vacancy_language, candidate_language), coverage, profile,
                         experience_fit(years, required_years_of(data)), location.astype(np.float32)], axis=-1)
    return Signals(features, similarity)
