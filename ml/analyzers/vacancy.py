"""What a vacancy's own text asks for: its skills (canonical, so both languages meet) and its years of experience.

A vacancy published through the ATS lists ``required_skills`` and ``min_years_experience``; a posting from
elsewhere (a client's text, a job board) says them only in prose. Both are read the same way here, so a
match compares a candidate with what the vacancy asks, whoever wrote it.
"""
from __future__ import annotations

import re

from ml.analyzers.taxonomy import fold, load_taxonomy

_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
                 "ten": 10, "un": 1, "uno": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7,
                 "ocho": 8, "nueve": 9, "diez": 10}
_N = r"(\d{1,2}|" + "|".join(_NUMBER_WORDS) + r")"
# "3+ years", "2-3 years", "de 1 a 3 años", "dos o tres años", "5 yrs"; the lower bound of a range is the minimum
_YEARS = re.compile(rf"\b{_N}\s*(?:\+|(?:-|–|a|o|or|to)\s*{_N})?\s*(?:\+\s*)?(?:years?|yrs?|anos?)\b")
# a number of years is a requirement of experience only with the word near it: "a 2-year term", "más de 60 años
# en el sector" and "tener cumplidos 16 años" are not
_EXPERIENCE = re.compile(r"experienc|experiencia|trayectoria en el puesto")
_NOT_EXPERIENCE = re.compile(r"\bterm\b|cumplid|edad|\bage\b|\bold\b|en el sector|en el mercado|in business")
#: above this a number of years is the company's age or a contract's length, not what a candidate must bring
MAX_REQUIRED_YEARS = 15


def _number(word: str) -> int:
    return int(word) if word.isdigit() else _NUMBER_WORDS[word]


def required_years(text: str) -> int | None:
    """The years of experience a posting asks for (the largest stated minimum), or None when it names none."""
    folded = fold(text)
    found = []
    for m in _YEARS.finditer(folded):
        before, after = folded[max(0, m.start() - 60):m.start()], folded[m.end():m.end() + 40]
        if not (_EXPERIENCE.search(before) or _EXPERIENCE.search(after)):
            continue
        if _NOT_EXPERIENCE.search(folded[max(0, m.start() - 25):m.end() + 15]):
            continue
        years = _number(m.group(1))
        if 0 < years <= MAX_REQUIRED_YEARS:
            found.append(years)
    return max(found) if found else None


def vacancy_skills(title: str, description: str, required: list[str] | None = None) -> list[str]:
    """Canonical skills a vacancy asks for: those it lists and those its title and text name, each once."""
    taxonomy = load_taxonomy()
    listed = [taxonomy.canonical(s) or s for s in required or []]
    named = [label for label, _ in sorted(taxonomy.find(f"{title}\n{description}"), key=lambda hit: hit[1])]
    return list(dict.fromkeys(listed + named))
