"""Dates and date ranges in a CV, and the years of work they add up to as of the CV's own date.

Reads the ways CVs write a date in either language: "Jan 2015", "enero de 2019", "sep 16",
"Nov'22", "July2018" (glued by a PDF), "03/2019", "2019-03", "2016"; and a range's end:
"Present", "Cur.", "actualidad", or nothing after the dash ("2021–"). A year without a
month stands for its middle, so "2014 – 2015" is one year and "2016 – present" starts in July.
Months are counted once however many jobs cover them; internships and assistantships
count half (they are not a full-time job).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from ml.analyzers.taxonomy import fold

MONTHS = {
    "jan": 1, "january": 1, "ene": 1, "enero": 1, "feb": 2, "february": 2, "febrero": 2, "mar": 3, "march": 3,
    "marzo": 3, "apr": 4, "april": 4, "abr": 4, "abril": 4, "may": 5, "mayo": 5, "jun": 6, "june": 6, "junio": 6,
    "jul": 7, "july": 7, "julio": 7, "aug": 8, "august": 8, "ago": 8, "agosto": 8, "sep": 9, "sept": 9,
    "september": 9, "septiembre": 9, "setiembre": 9, "set": 9, "oct": 10, "october": 10, "octubre": 10, "nov": 11,
    "november": 11, "noviembre": 11, "dec": 12, "december": 12, "dic": 12, "diciembre": 12,
}
PRESENT = ("present", "presente", "current", "currently", "cur", "now", "today", "ongoing", "actual", "actualidad",
           "actualmente", "hoy", "la fecha", "en curso", "vigente")
HALF_TIME = re.compile(r"\b(intern|internship|interns|practicas|practicante|becario|becaria|trainee|apprentice|"
                       r"teaching assistant|research assistant|ayudante|asistente de investigacion|student|estudiante|"
                       r"becas?|scholarship|fellowship|tutor|part[- ]time|medio tiempo)\b")

_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_DATE = re.compile(
    # a two-digit year only with an apostrophe or before a dash: "set 10 records" is no date, "sep 16–" is
    rf"(?P<mon>\b(?:{_MONTH}))\.?\s*(?:de\s+|,\s*)?(?P<myear>(?:19|20)\d\d|['’`]\d\d|\d\d(?=\s*(?:-|–|—|$)))(?!\d)"
    r"|(?<!\d)(?P<nm>0?[1-9]|1[0-2])\s*[/.]\s*(?P<ny>(?:19|20)\d\d)(?!\d)"
    r"|(?<!\d)(?P<iy>(?:19|20)\d\d)[-/.](?P<im>0[1-9]|1[0-2])(?![\d])"
    r"|(?<![\d/.])(?P<year>19[5-9]\d|20[0-4]\d)(?![\d])"
)
_TO = r"(?:-|–|—|‐|−|~|to|a|al|hasta|until|till|through)"
_BETWEEN = re.compile(rf"^\s*{_TO}?\s*$")
_TO_PRESENT = re.compile(rf"^\s*{_TO}\s*(?:" + "|".join(re.escape(p) for p in PRESENT) + r")\b")
_OPEN_END = re.compile(r"^\s*(?:-|–|—|‐|−|~)\s*(?:$|[|,;)\]])")


@dataclass(frozen=True)
class Month:
    year: int
    month: int
    exact: bool  # a month was written; otherwise the middle of the year stands for it

    @property
    def index(self) -> int:
        return self.year * 12 + self.month - 1


def _month_of(m: re.Match) -> Month | None:
    if m.group("mon"):
        year = int(m.group("myear").lstrip("'’`"))
        year = year + (2000 if year < 50 else 1900) if year < 100 else year
        return Month(year, MONTHS[m.group("mon")], True)
    if m.group("nm"):
        return Month(int(m.group("ny")), int(m.group("nm")), True)
    if m.group("iy"):
        return Month(int(m.group("iy")), int(m.group("im")), True)
    return Month(int(m.group("year")), 7, False)


def dates_in(text: str) -> list[Month]:
    """Every date a text mentions (no ranges)."""
    return [d for m in _DATE.finditer(fold(text)) if (d := _month_of(m))]


def heads_with_date(text: str) -> bool:
    """Whether a date opens or closes this run of items, or a range sits in it: how a job, talk or course heading
    carries its date ("1998 Visiting Professor, …", "…, Virginia, C++    2012", "Analyst, Acme, 2013–2014"), never
    a product's version inside a list ("Python, SQL Server 2019, Dagster")."""
    folded = fold(text).strip()
    found = list(_DATE.finditer(folded))
    for i, m in enumerate(found):
        before, after = folded[:m.start()], folded[m.end():]
        opens = not re.search(r"[^\W\d_]", before)
        closes = not re.search(r"\w", after) and re.search(r"(?:,|\s{2})\s*$", before) is not None
        ranged = _TO_PRESENT.match(after) is not None or (
            i + 1 < len(found) and _BETWEEN.match(folded[m.end():found[i + 1].start()]) is not None)
        if opens or closes or ranged:
            return True
    return False


def latest_date(text: str, *, not_after: date | None = None) -> date | None:
    """The newest date a CV mentions: the date it was last written, when nothing else says so."""
    limit = (not_after.year * 12 + not_after.month - 1) if not_after else None
    found = [d for d in dates_in(text) if limit is None or d.index <= limit]
    if not found:
        return None
    newest = max(found, key=lambda d: d.index)
    return date(newest.year, newest.month if newest.exact else 12, 28)


@dataclass(frozen=True)
class Span:
    start: int  # month index, inclusive
    end: int  # month index, inclusive
    weight: float
    line: str


def spans_in(experience: str, as_of: date) -> list[Span]:
    """The date ranges of an experience section, each with the weight of the job it dates."""
    now = as_of.year * 12 + as_of.month - 1
    lines = experience.splitlines()
    spans = []
    for number, line in enumerate(lines):
        folded = fold(line)
        found = list(_DATE.finditer(folded))
        used: set[int] = set()
        for i, m in enumerate(found):
            if i in used:
                continue
            start = _month_of(m)
            after = folded[m.end():found[i + 1].start()] if i + 1 < len(found) else folded[m.end():]
            end: Month | None | str = None
            if i + 1 < len(found) and _BETWEEN.match(after):
                end, _ = _month_of(found[i + 1]), used.add(i + 1)
            elif _TO_PRESENT.match(after) or _OPEN_END.match(after):
                end = "present"
            if end is None:
                continue
            first = start.index if start.exact else start.year * 12 + 6
            last = now if end == "present" else (end.index if end.exact else end.year * 12 + 5)
            if end != "present" and not start.exact and not end.exact and start.year == end.year:
                first, last = start.year * 12 + 3, start.year * 12 + 8  # "2005–2005": some months of that year, say six
            last = min(last, now)
            if last < first:
                continue
            context = fold(" ".join(lines[max(0, number - 1):number + 2]))
            spans.append(Span(first, last, 0.5 if HALF_TIME.search(context) else 1.0, line.strip()))
    return spans


def during_studies(jobs: list[Span], studies: list[Span]) -> list[Span]:
    """Jobs held entirely while studying (started after a degree began, ended before it did) count half:
    a student's side job is not a year of full-time work. A job still going on is never one of them."""
    out = []
    for job in jobs:
        student = any(study.start <= job.start and job.end < study.end for study in studies)
        out.append(Span(job.start, job.end, min(job.weight, 0.5), job.line) if student else job)
    return out


def years_of_work(spans: list[Span]) -> float | None:
    """Years the spans cover, each month once at the highest weight of any job that month."""
    if not spans:
        return None
    weight: dict[int, float] = {}
    for span in spans:
        for month in range(span.start, span.end + 1):
            weight[month] = max(weight.get(month, 0.0), span.weight)
    return round(sum(weight.values()) / 12, 1)
