"""The ground-truth files: what a sample's author knows to be true, for evaluating models (never read by them).

Written by the sample-data generator (``sample_data``), read by model evaluation (``ml``): this module is
the contract between the two, so production code never imports the generator.

``<landing>/ground_truth/cv_skills.jsonl``: one ``CvTruth`` per scraped candidate (the skills, years,
education, language, role and state their CV was written from).
``<landing>/ground_truth/vacancies.jsonl``: one ``VacancyTruth`` per published vacancy.
``match_grade`` is the relevance of a candidate to a vacancy that matching is judged against.
"""
from __future__ import annotations

from pathlib import Path
from typing import TypedDict

import orjson

CV_SKILLS = "cv_skills.jsonl"
VACANCIES = "vacancies.jsonl"
RELEVANT_GRADE = 3  # what recall@k and MRR count as a hit


class CvTruth(TypedDict):
    candidate_id: str
    skills: list[str]
    years_experience: int
    language: str
    education: str
    role_family: str
    role_index: int
    state: str
    city: str


class VacancyTruth(TypedDict):
    vacancy_id: str
    role_index: int
    role_family: str
    min_years_experience: int
    state: str
    business_unit: str


def match_grade(candidate: CvTruth, vacancy: VacancyTruth) -> int:
    """0-4: the right role (2) or role family (1), plus 1 for enough experience and 1 for the same state.

    A recruiter's judgement in miniature: the role must fit before experience and location count at all.
    """
    if candidate["role_index"] == vacancy["role_index"]:
        grade = 2
    elif candidate["role_family"] == vacancy["role_family"]:
        grade = 1
    else:
        return 0
    grade += candidate["years_experience"] >= vacancy["min_years_experience"]
    grade += candidate["state"] == vacancy["state"]
    return grade


def read_truth(landing_dir: Path, name: str) -> list[dict]:
    path = landing_dir / "ground_truth" / name
    if not path.exists():
        return []
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]


def write_truth(landing_dir: Path, name: str, rows: list[dict]) -> None:
    folder = landing_dir / "ground_truth"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
