"""Matching judged on the team's real set: real résumés against real job postings, graded by a recruiter.

The generator's ground truth rewards the signals the generator was written with; a matcher fitted to it
can rank real texts worse than its own embedding does. So a trained matcher is also run on the real
set (``<real_set_dir>/resumes``, ``/jobs``, ``/relevance``: see its README) through the product's own
path (the ingest extractor, the CV analyzer as of each CV's date, the same signals), ranking every
posting for every résumé, and compared there with its embedding alone and with BM25. The promotion
gate refuses a matcher that ranks below either (ml.promotion).
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from functools import lru_cache
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from foundation.documents import CV_FORMATS, extract_text
from ml.analyzers.cv import analyze_cv, cv_language
from ml.aura.embeddings import embed
from ml.aura.lexical import bm25_scores
from ml.aura.signals import MatchData, Signals, pair_signals, vacancy_texts
from ml.evaluation import ranking_metrics

#: a posting is relevant to a résumé from grade 1 ("worth a recruiter's look") up; NDCG weighs 2 above 1
RELEVANT_GRADE = 1
#: the figures the gate compares, each against the embedding alone and against BM25
GATED_METRICS = ("ndcg_at_50", "roc_auc")
log = logging.getLogger(__name__)


@dataclass
class RealMatchingSet:
    data: MatchData  # candidates are the résumés, vacancies the postings
    grades: np.ndarray  # (postings x résumés)
    signals: Signals
    bm25: np.ndarray  # (résumés x postings): each résumé as the query, the postings as the collection


def available(directory: Path) -> bool:
    return all((directory / p).is_file() for p in ("resumes/labels.json", "jobs/jobs.jsonl", "relevance/relevance.jsonl"))


def load(con: duckdb.DuckDBPyConnection, directory: Path) -> RealMatchingSet:
    """Read the set, extract and analyse each person's CV (the first file labelled for them), embed both sides."""
    candidates = _resumes(str(directory), _signature(directory / "resumes"))
    jobs = _jobs(directory)
    vacancies = pl.DataFrame({"vacancy_id": [j["job_id"] for j in jobs], "title": [j["title"] for j in jobs],
                              "description": [j["description"] for j in jobs], "required_skills": [[] for _ in jobs],
                              "min_years_experience": [None for _ in jobs], "state": [None for _ in jobs],
                              "language": [j.get("language") for j in jobs]},
                             schema_overrides={"required_skills": pl.List(pl.String), "min_years_experience": pl.Int64,
                                               "state": pl.String, "language": pl.String})
    job_index = {j: i for i, j in enumerate(vacancies["vacancy_id"])}
    person_index = {p: i for i, p in enumerate(candidates["candidate_id"])}
    grades = np.full((vacancies.height, candidates.height), -1, dtype=np.int8)
    for number, line in enumerate((directory / "relevance" / "relevance.jsonl").read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            label = json.loads(line)
            job, person = job_index.get(label["job_id"]), person_index.get(label["person"])
            if job is None or person is None:
                raise ValueError(f"the real set's relevance labels name an unknown posting or person on line {number} "
                                 f"({label['job_id']!r}, {label['person']!r}); fix relevance.jsonl or the sets it refers to")
            grades[job, person] = label["grade"]
    if (grades < 0).any():
        missing = int((grades < 0).sum())
        raise ValueError(f"the real set's relevance labels miss {missing} résumé-posting pairs; every pair must be graded")
    texts = vacancy_texts(vacancies)
    vectors, stats = embed(con, candidates["cv_text"].to_list() + texts)
    data = MatchData(candidates, vacancies, vectors[:candidates.height], vectors[candidates.height:], stats)
    return RealMatchingSet(data, grades, pair_signals(data), bm25_scores(candidates["cv_text"].to_list(), texts))


def pairs(real: RealMatchingSet, columns: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(features, relevant) of the real pairs of the given résumés (all when None), flattened for a fit."""
    features, grades = real.signals.features, real.grades
    if columns is not None:
        features, grades = features[:, columns], grades[:, columns]
    return features.reshape(-1, features.shape[-1]), (grades >= RELEVANT_GRADE).reshape(-1).astype(int)


def _jobs(directory: Path) -> list[dict]:
    return [json.loads(line) for line in (directory / "jobs" / "jobs.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]


def _signature(folder: Path) -> tuple:
    return tuple(sorted((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in folder.iterdir() if p.is_file()))


@lru_cache(maxsize=4)
def _resumes(directory: str, signature: tuple) -> pl.DataFrame:
    """Each person's CV (the first file labelled for them) extracted and analysed as of its date: the slow part of
    loading (PDF layout reads), kept per process while the files are unchanged (``signature``)."""
    people: dict[str, dict] = {}
    for entry in json.loads((Path(directory) / "resumes" / "labels.json").read_text(encoding="utf-8")):
        people.setdefault(entry["person"], entry)
    rows = []
    for person, entry in people.items():
        path = Path(directory) / "resumes" / entry["file"]
        text = extract_text(path.read_bytes(), CV_FORMATS[path.suffix.lower()])
        year, month = map(int, entry["cv_date"].split("-")[:2])
        profile = analyze_cv(text, as_of=date(year, month, 28))
        rows.append({"candidate_id": person, "cv_text": text, "skills": profile.skills,
                     "years_experience": profile.years_experience, "state": None, "first_name": None,
                     "cv_language": cv_language(text)})
    return pl.DataFrame(rows, schema={"candidate_id": pl.String, "cv_text": pl.String, "skills": pl.List(pl.String),
                                      "years_experience": pl.Float64, "state": pl.String, "first_name": pl.String,
                                      "cv_language": pl.String})


def texts(directory: Path) -> list[str]:
    """Every text of the set as the matcher embeds it: each person's CV as extracted, then each posting."""
    jobs = _jobs(directory)
    postings = pl.DataFrame({"title": [j["title"] for j in jobs], "description": [j["description"] for j in jobs]})
    return _resumes(str(directory), _signature(directory / "resumes"))["cv_text"].to_list() + vacancy_texts(postings)


def metrics_of(scores: np.ndarray, real: RealMatchingSet) -> dict[str, float]:
    """Ranking metrics with each résumé as a query over every posting; scores are (postings x résumés)."""
    found = ranking_metrics(scores.T, real.grades.T, RELEVANT_GRADE)
    return {k: v for k, v in found.items() if k != "queries"}


def references(real: RealMatchingSet) -> dict[str, dict[str, float]]:
    """What a matcher must not rank below on the real set: its embedding alone, and BM25."""
    return {"embedding_only": metrics_of(real.signals.raw_similarity, real), "bm25": metrics_of(real.bm25.T, real)}


def gate_checks(model_metrics: dict[str, float], refs: dict[str, dict[str, float]]) -> dict[str, tuple[float, float]]:
    """'<metric> vs <reference>' -> (the model's value, the reference's), for ml.promotion's real-set condition."""
    names = {"embedding_only": "its embedding alone", "bm25": "BM25"}
    return {f"real-set {metric} vs {names[ref]}": (model_metrics[metric], refs[ref][metric])
            for ref in refs for metric in GATED_METRICS}
