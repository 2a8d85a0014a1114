"""What the generator knows to be true, for evaluating the models (never read by them).

``ground_truth/cv_skills.jsonl`` (one line per scraped candidate: the skills, years,
education, language, role and state their CV was written from) and
``ground_truth/vacancies.jsonl`` (role, minimum experience and state of each
published vacancy). ``match_grade`` is the relevance of a candidate to a vacancy
that matching is judged against.
"""
from __future__ import annotations

from pathlib import Path

import orjson

from huntred.generator import calibration as cal

RELEVANT_GRADE = 3  # what recall@k and MRR count as a hit


def match_grade(candidate: dict, vacancy: dict) -> int:
    """0-4: the right role (2) or role family (1), plus 1 for enough experience and 1 for the same state.

    A recruiter's judgement in miniature: the role must fit before experience and
    location count at all.
    """
    if candidate["role_index"] == vacancy["role_index"]:
        grade = 2
    elif cal.ROLES[candidate["role_index"]][0] == cal.ROLES[vacancy["role_index"]][0]:
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
