"""The team's real evaluation set (evaluation/): real résumés hand-labelled, real job postings.

Loads the labels, runs the product's own path (the ingest extractor, then the CV analyzer)
and scores each field against the hand labels. The scores feed the README's figures and the
targets asserted in tests/ml/test_cv_real.py; `python -m tests.ml.real_set` prints them.
The labels were written from reading each CV, never from the analyzer's output.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from foundation.documents import CV_FORMATS, extract_text
from ml.analyzers.cv import CvProfile, analyze_cv
from ml.analyzers.taxonomy import fold, load_taxonomy

REAL = Path(__file__).resolve().parents[2] / "evaluation"
RESUMES = REAL / "resumes"
YEARS_TOLERANCE = 1.0


@dataclass(frozen=True)
class Labelled:
    file: str
    language: str
    cv_date: date
    years_experience: float
    education_level: str
    languages: tuple[str, ...]
    skills: tuple[str, ...]
    not_skills: tuple[str, ...]


@lru_cache(maxsize=1)
def labels() -> tuple[Labelled, ...]:
    out = []
    for raw in json.loads((RESUMES / "labels.json").read_text(encoding="utf-8")):
        year, month = map(int, raw["cv_date"].split("-")[:2])
        out.append(Labelled(raw["file"], raw["language"], date(year, month, 28), float(raw["years_experience"]),
                            raw["education_level"], tuple(raw["languages"]), tuple(raw["skills"]),
                            tuple(n.split(" (")[0] for n in raw.get("not_skills", []))))
    return tuple(out)


def skill_key(name: str) -> str:
    """How a skill is compared: its canonical label when the taxonomy knows it, else its folded name; a qualifier
    in parentheses is not part of the name ("Arduino (Uno y Leonardo)" is Arduino, "TDD (test driven development)"
    is TDD), on either side."""
    taxonomy = load_taxonomy()
    bare = re.sub(r"\s*\([^)]*\)", "", name).strip() or name
    return fold(taxonomy.canonical(bare) or taxonomy.canonical(name) or bare).strip()


@lru_cache(maxsize=None)
def text_of(file: str) -> str:
    path = RESUMES / file
    return extract_text(path.read_bytes(), CV_FORMATS[path.suffix.lower()])


def profile_of(item: Labelled) -> CvProfile:
    """The product's path: the text the ingest extractor gives, read as of the CV's own date."""
    return analyze_cv(text_of(item.file), as_of=item.cv_date)


@dataclass(frozen=True)
class RealSetScores:
    cvs: int
    skill_precision: float
    skill_recall: float
    known_share: float  # of the skills the CVs name, the share the taxonomy knows
    years_within: float  # share of CVs whose years are within ±YEARS_TOLERANCE of the label
    education_accuracy: float
    language_accuracy: float  # share of CVs whose set of languages equals the label's
    per_cv: tuple[dict, ...]


def score(items: tuple[Labelled, ...] | None = None) -> RealSetScores:
    items = items if items is not None else labels()
    taxonomy = load_taxonomy()
    tp = n_pred = n_true = known = years_ok = edu_ok = lang_ok = 0
    rows = []
    for item in items:
        profile = profile_of(item)
        want = {skill_key(s) for s in item.skills}
        got = {skill_key(s) for s in profile.skills}
        tp, n_pred, n_true = tp + len(want & got), n_pred + len(got), n_true + len(want)
        known += sum(1 for s in item.skills if taxonomy.canonical(s))
        years = profile.years_experience
        ok_years = years is not None and abs(years - item.years_experience) <= YEARS_TOLERANCE
        ok_edu = profile.education_level == item.education_level
        ok_lang = {l["language"] for l in profile.languages} == set(item.languages)
        years_ok, edu_ok, lang_ok = years_ok + ok_years, edu_ok + ok_edu, lang_ok + ok_lang
        rows.append({"file": item.file, "tp": len(want & got), "predicted": len(got), "labelled": len(want),
                     "missed": sorted(want - got), "extra": sorted(got - want),
                     "years": years, "years_label": item.years_experience,
                     "education": profile.education_level, "education_label": item.education_level,
                     "languages": sorted({l["language"] for l in profile.languages}), "languages_label": sorted(item.languages)})
    n = len(items)
    return RealSetScores(n, round(tp / n_pred, 3) if n_pred else 0.0, round(tp / n_true, 3) if n_true else 0.0,
                         round(known / sum(len(i.skills) for i in items), 3), round(years_ok / n, 3),
                         round(edu_ok / n, 3), round(lang_ok / n, 3), tuple(rows))


if __name__ == "__main__":
    import sys

    result = score()
    verbose = "-v" in sys.argv
    for row in result.per_cv:
        print(f"{row['file']:34} skills {row['tp']:>2}/{row['labelled']:<2} (+{row['predicted'] - row['tp']} extra)  "
              f"years {row['years']} vs {row['years_label']}  edu {row['education']} vs {row['education_label']}  "
              f"lang {row['languages']} vs {row['languages_label']}")
        if verbose:
            print("   missed:", row["missed"])
            print("   extra: ", row["extra"])
    print({k: v for k, v in result.__dict__.items() if k != "per_cv"})
