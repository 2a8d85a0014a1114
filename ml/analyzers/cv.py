"""CV analyzer: skills, experience, seniority, education, languages and place from a CV's text.

Pure functions over text (Spanish or English). Each field carries how it was found,
and the profile's confidence is the mean of its fields' confidences:
1.0 stated outright (a "Skills" section, "7 años de experiencia"), 0.6 inferred
(skills mentioned in passing, years from job dates), 0 missing.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date

from ml.analyzers.taxonomy import find_place, fold, load_taxonomy

VERSION = "cv-1.0"

# Section headings in either language (folded), and the section each names.
SECTIONS = {
    "perfil profesional": "summary", "professional summary": "summary", "resumen": "summary", "summary": "summary",
    "experiencia": "experience", "experience": "experience", "experiencia laboral": "experience", "work experience": "experience",
    "educacion": "education", "education": "education", "formacion": "education",
    "habilidades": "skills", "skills": "skills", "competencias": "skills",
    "idiomas": "languages", "languages": "languages",
}
EDUCATION = (  # highest first: (level, folded keywords)
    ("Doctorado", ("doctorado", "phd", "doctor of")),
    ("Maestría", ("maestria", "master", "mba")),
    ("Licenciatura", ("licenciatura", "bachelor", "ingenieria", "licenciado")),
    ("Carrera técnica", ("carrera tecnica", "technical degree", "tecnico superior")),
    ("Preparatoria", ("preparatoria", "high school", "bachillerato")),
)
LANGUAGES = {"espanol": "Spanish", "spanish": "Spanish", "ingles": "English", "english": "English",
             "frances": "French", "french": "French", "aleman": "German", "german": "German", "portugues": "Portuguese"}
LEVELS = {"nativo": "native", "native": "native", "avanzado": "advanced", "advanced": "advanced", "fluido": "advanced",
          "intermedio": "intermediate", "intermediate": "intermediate", "basico": "basic", "basic": "basic"}
EXECUTIVE_TITLES = ("director", "chief", "vicepresidente", "vice president", "ceo", "cfo", "cco", "head of")
YEARS_RE = re.compile(r"(\d{1,2})\s*\+?\s*(?:anos|years)\s+(?:de\s+experiencia|of\s+experience)")
YEAR_RE = re.compile(r"\b(19[6-9]\d|20[0-4]\d)\b")
STATED, INFERRED = 1.0, 0.6


@dataclass
class CvProfile:
    skills: list[str] = field(default_factory=list)
    skill_confidence: dict[str, float] = field(default_factory=dict)
    years_experience: int | None = None
    seniority: str | None = None
    education_level: str | None = None
    languages: list[dict] = field(default_factory=list)
    state: str | None = None
    city: str | None = None
    field_confidence: dict[str, float] = field(default_factory=dict)

    @property
    def confidence(self) -> float:
        return round(sum(self.field_confidence.values()) / len(self.field_confidence), 3) if self.field_confidence else 0.0

    def to_dict(self) -> dict:
        return {**asdict(self), "confidence": self.confidence}


def split_sections(text: str) -> dict[str, str]:
    """Section name -> its text; what comes before the first heading is the 'header'."""
    sections: dict[str, list[str]] = {"header": []}
    current = "header"
    for line in text.splitlines():
        key = fold(line).strip().rstrip(":")
        if key in SECTIONS and len(line) < 40:
            current = SECTIONS[key]
            sections.setdefault(current, [])
        else:
            sections.setdefault(current, []).append(line)
    return {name: "\n".join(lines) for name, lines in sections.items()}


def seniority_of(years: int | None, titles: str) -> str | None:
    folded = fold(titles)
    if any(re.search(rf"\b{t}\b", folded) for t in EXECUTIVE_TITLES):
        return "executive"
    if years is None:
        return None
    return "junior" if years < 3 else "mid" if years < 8 else "senior" if years < 15 else "executive"


def years_from_dates(experience: str, today: date) -> int | None:
    years = [int(y) for y in YEAR_RE.findall(experience)]
    return max(0, today.year - min(years)) if years else None


def analyze_cv(text: str, today: date = date(2026, 11, 1)) -> CvProfile:
    taxonomy = load_taxonomy()
    sections = split_sections(text)
    profile = CvProfile()
    conf = profile.field_confidence

    # Skills: a Skills section states them; anywhere else (but the languages list) they are mentioned.
    for name, body in sections.items():
        if name == "languages":
            continue
        weight = STATED if name == "skills" else INFERRED
        for label, _ in taxonomy.find(body):
            profile.skill_confidence[label] = max(profile.skill_confidence.get(label, 0.0), weight)
    profile.skills = sorted(profile.skill_confidence, key=lambda s: (-profile.skill_confidence[s], s))
    conf["skills"] = max(profile.skill_confidence.values(), default=0.0)

    folded = fold(text)
    stated = YEARS_RE.search(folded)
    if stated:
        profile.years_experience, conf["years_experience"] = int(stated.group(1)), STATED
    else:
        profile.years_experience = years_from_dates(sections.get("experience", ""), today)
        conf["years_experience"] = INFERRED if profile.years_experience is not None else 0.0
    first_job = sections.get("experience", "").strip().split("\n")[0]
    profile.seniority = seniority_of(profile.years_experience, first_job)
    conf["seniority"] = conf["years_experience"] if profile.seniority else 0.0

    education = fold(sections.get("education", "")) or folded
    for level, keywords in EDUCATION:
        if any(re.search(rf"\b{k}\b", education) for k in keywords):
            profile.education_level = level
            break
    conf["education_level"] = (STATED if "education" in sections else INFERRED) if profile.education_level else 0.0

    for part in re.split(r"[,;\n]", fold(sections.get("languages", ""))):
        language = next((LANGUAGES[w] for w in re.findall(r"[a-z]+", part) if w in LANGUAGES), None)
        if language:
            level = next((LEVELS[w] for w in re.findall(r"[a-z]+", part) if w in LEVELS), None)
            profile.languages.append({"language": language, "level": level})
    conf["languages"] = STATED if profile.languages else 0.0

    profile.state, profile.city = find_place(sections.get("header", "") or text)
    conf["location"] = STATED if profile.state else 0.0
    return profile


@dataclass(frozen=True)
class ExtractionScore:
    precision: float
    recall: float
    f1: float
    candidates: int
    true_positives: int
    predicted: int
    actual: int


def skill_extraction_score(predicted: dict[str, list[str]], truth: dict[str, list[str]]) -> ExtractionScore:
    """Micro-averaged precision and recall of extracted skills against the skills each CV really lists."""
    taxonomy = load_taxonomy()
    tp = n_pred = n_true = 0
    for candidate_id, actual in truth.items():
        want = {taxonomy.canonical(s) or s for s in actual}
        got = set(predicted.get(candidate_id, []))
        tp += len(want & got)
        n_pred += len(got)
        n_true += len(want)
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_true if n_true else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return ExtractionScore(round(precision, 4), round(recall, 4), round(f1, 4), len(truth), tp, n_pred, n_true)
