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

from ml.analyzers.cv_dates import (HALF_TIME, dates_in, during_studies, heads_with_date, latest_date, spans_in,
                                   years_of_work)
from ml.analyzers.cv_sections import split_sections
from ml.analyzers.taxonomy import find_place, fold, load_taxonomy

VERSION = "cv-2.3"

# Degrees, highest first. Folded words and abbreviations anywhere in the education section; the two-letter
# abbreviations (MS, MA, BS, BA, BE) only as degrees ("MS in …", "BS, Computer Science"), never "MS Office" or "Boston, MA".
EDUCATION: tuple[tuple[str, str], ...] = (
    ("Doctorado", r"ph\.?\s?d\b|\bd\.?phil\b|\bdoctora(?:do|te|l)\b|\bdoctor (?:of|en|in)\b|\bdoctor of"),
    ("Maestría", r"\bmaster'?s?\b|\bmaestr[ia]a?\b|\bmaestro en\b|\bmtr[oa]\b\.?|\bm\.?\s?sc\b|\bm\.s\.|\bm\.a\.|"
                 r"\bmba\b|\bm\.?\s?eng\b|\bm\.?\s?tech\b|\bmphil\b|\bmestrado\b|\bmagister\b|\bpostgrad"),
    ("Licenciatura", r"\bbachelor'?s?\b|\bb\.?\s?sc\b|\bb\.s\.|\bb\.a\.|\bb\.e\.|\bb\.?\s?tech\b|\bb\.?\s?eng\b|"
                     r"\blicenciad[oa]\b|\blicenciatura\b|\blic\.|\bingenier[oa]\b|\bingenieria\b|\bing\.|"
                     r"\bgrado en\b|\bgraduad[oa] en\b|\bbacharel|\bundergraduate degree\b|\bengineering degree\b|"
                     r"\btitulo de ingenier"),
    ("Carrera técnica", r"\bvocational training\b|\bformacion profesional\b|\bcarrera tecnica\b|\btecnico superior\b|\btsu\b|\bassociate'?s? degree\b|\btecnico en\b|"
                        r"\btecnologo\b|\bciclo formativo\b"),
    ("Preparatoria", r"\bpreparatoria\b|\bhigh school\b|\bbachillerato\b|\bsecondary school\b"),
)
SHORT_DEGREES = {"MS": "Maestría", "MA": "Maestría", "MSC": "Maestría", "MENG": "Maestría", "BS": "Licenciatura",
                 "BA": "Licenciatura", "BE": "Licenciatura", "BSC": "Licenciatura", "BENG": "Licenciatura"}
_SHORT_DEGREE = re.compile(r"\b(MS|MA|MSc|MSC|MEng|MENG|BS|BA|BE|BSc|BSC|BEng|BENG)\b(?=,?\s+(?:in|of|en|IN|OF)\b|,\s+[A-Z])")
UNFINISHED = re.compile(r"\b(interrumpid[oa]|trunc[oa]|incomplet[oa]|unfinished|not completed|sin concluir|abandon)")
LANGUAGES = {
    "espanol": "Spanish", "castellano": "Spanish", "spanish": "Spanish", "ingles": "English", "english": "English",
    "frances": "French", "french": "French", "aleman": "German", "german": "German", "portugues": "Portuguese",
    "portuguese": "Portuguese", "italiano": "Italian", "italian": "Italian", "chino": "Chinese", "chinese": "Chinese",
    "mandarin": "Chinese", "mandarin chinese": "Chinese", "japones": "Japanese", "japanese": "Japanese",
    "coreano": "Korean", "korean": "Korean", "arabe": "Arabic", "arabic": "Arabic", "ruso": "Russian",
    "russian": "Russian", "hindi": "Hindi", "bengali": "Bengali", "bangla": "Bengali", "urdu": "Urdu",
    "catalan": "Catalan", "valenciano": "Valencian", "valencian": "Valencian", "gallego": "Galician",
    "galician": "Galician", "euskera": "Basque", "basque": "Basque", "neerlandes": "Dutch", "holandes": "Dutch",
    "dutch": "Dutch", "sueco": "Swedish", "swedish": "Swedish", "polaco": "Polish", "polish": "Polish",
    "turco": "Turkish", "turkish": "Turkish", "griego": "Greek", "greek": "Greek", "hebreo": "Hebrew",
    "hebrew": "Hebrew", "nahuatl": "Nahuatl", "maya": "Maya", "quechua": "Quechua", "guarani": "Guarani",
    "tamil": "Tamil", "telugu": "Telugu", "malay": "Malay", "indonesian": "Indonesian", "vietnamese": "Vietnamese",
    "persian": "Persian", "farsi": "Persian", "ukrainian": "Ukrainian", "romanian": "Romanian", "rumano": "Romanian",
}
_LANGUAGE = re.compile(r"\b(" + "|".join(sorted(LANGUAGES, key=len, reverse=True)) + r")\b")
LEVELS = {"nativo": "native", "nativa": "native", "native": "native", "materna": "native", "mother tongue": "native",
          "avanzado": "advanced", "advanced": "advanced", "fluido": "advanced", "fluent": "advanced", "fluency": "advanced",
          "bilingue": "advanced", "c1": "advanced", "c2": "advanced", "proficient": "advanced",
          "intermedio": "intermediate", "intermediate": "intermediate", "upper intermediate": "intermediate",
          "b1": "intermediate", "b2": "intermediate", "conversational": "intermediate",
          "basico": "basic", "basic": "basic", "beginner": "basic", "a1": "basic", "a2": "basic", "elemental": "basic"}
EXECUTIVE_TITLES = ("director", "chief", "vicepresidente", "vice president", "ceo", "cfo", "cco", "head of")
YEARS_RE = re.compile(r"(\d{1,2})\s*\+?\s*(?:anos|years)\s+(?:de\s+experiencia|of\s+(?:\w+\s+)?experience)")
STATED, INFERRED = 1.0, 0.6
# Sections whose names are titles (of papers, talks, awards, courses), not skills the person has.
NO_SKILLS = ("languages", "publications", "awards", "references", "contact")
# Sections where a comma list is of courses, titles or places more often than of skills.
TITLES_ONLY = ("education", "certifications", "courses")
@dataclass
class CvProfile:
    skills: list[str] = field(default_factory=list)
    skill_confidence: dict[str, float] = field(default_factory=dict)
    years_experience: float | None = None
    seniority: str | None = None
    education_level: str | None = None
    languages: list[dict] = field(default_factory=list)
    state: str | None = None
    city: str | None = None
    as_of: str | None = None  # the date the years are counted to
    field_confidence: dict[str, float] = field(default_factory=dict)

    @property
    def confidence(self) -> float:
        return round(sum(self.field_confidence.values()) / len(self.field_confidence), 3) if self.field_confidence else 0.0

    def to_dict(self) -> dict:
        return {**asdict(self), "confidence": self.confidence}


def seniority_of(years: float | None, titles: str) -> str | None:
    folded = fold(titles)
    if any(re.search(rf"\b{t}\b", folded) for t in EXECUTIVE_TITLES):
        return "executive"
    if years is None:
        return None
    return "junior" if years < 3 else "mid" if years < 8 else "senior" if years < 15 else "executive"


def education_level(education: str) -> str | None:
    """The highest degree an education text names, completed or in progress (an interrupted one does not count)."""
    best = None
    ranks = [level for level, _ in EDUCATION]
    for line in education.splitlines():
        folded = fold(line)
        if UNFINISHED.search(folded):
            continue
        found = [level for level, pattern in EDUCATION if re.search(pattern, folded)]
        found += [SHORT_DEGREES[m.group(1).upper()] for m in _SHORT_DEGREE.finditer(line)]
        for level in found:
            if best is None or ranks.index(level) < ranks.index(best):
                best = level
    return best


# Titles people hold at work as well as degrees ("Ingeniero en automatización", "Lic. en Derecho, Gerente …")
_WORK_TITLES = re.compile(r"\bingenier[oa]s?\b|\bing\.|\blicenciad[oa]\b|\blic\.")


def names_a_degree(line: str) -> bool:
    """A line about a degree being studied, not a job (a student's job, "Teaching Assistant / Ph.D. student", is a job)."""
    folded = fold(line)
    return not HALF_TIME.search(folded) and education_level(_WORK_TITLES.sub(" ", folded)) is not None


def languages_in(text: str) -> list[dict]:
    """Each language a languages section names, with its level when the same line or item says it."""
    out: dict[str, str | None] = {}
    for part in re.split(r"[,;\n|•·/]|\s{2,}|\)\s", fold(text)):
        for m in _LANGUAGE.finditer(part):
            language = LANGUAGES[m.group(1)]
            level = next((LEVELS[k] for k in sorted(LEVELS, key=len, reverse=True) if re.search(rf"\b{k}\b", part)), None)
            if language not in out or (out[language] is None and level):
                out[language] = level
    return [{"language": language, "level": level} for language, level in out.items()]


def cv_language(text: str) -> str:
    """'es' or 'en': which of the two languages' common words the text uses more."""
    words = re.findall(r"[a-z]+", fold(text))
    spanish = sum(w in {"de", "y", "en", "la", "el", "los", "las", "con", "para", "del", "por"} for w in words)
    english = sum(w in {"the", "and", "of", "in", "with", "for", "to", "on", "at", "by"} for w in words)
    return "es" if spanish > english else "en"


def _skill_lines(name: str, body: str) -> tuple[list[str], list[str]]:
    """(lines that may name the person's skills, titles of projects and courses) of a section, names of
    organisations blanked: a title tells only of the tools it names ("Supervised Learning with scikit-learn")."""
    lines, titles = [], []
    for line in body.splitlines():
        is_title = name in ("projects", "activities", "courses") and _looks_like_title(line)
        (titles if is_title else lines).append(_ORGANISATION_NAME.sub(" ", line))
    return lines, titles


def _spoken_languages_apart(sections: dict[str, str], is_known) -> dict[str, str]:
    """A 'Languages: Python, SQL, HTML' row is a skills row: the items of the languages section that are known skills
    and no spoken language go to the skills section, item by item ("English, Python, SQL" gives Python and SQL to
    skills and keeps English); anything else ("Avanzado (B2)", "TOEFL iBT 105", "Lectura") stays a language line."""
    if "languages" not in sections:
        return sections
    moved = []
    for line in sections["languages"].splitlines():
        items = [i.strip(" .") for i in re.split(r"[,;•·|]", line.split(":", 1)[-1]) if i.strip(" .")]
        moved += [i for i in items if not _LANGUAGE.search(fold(i)) and is_known(i)]
    if not moved:
        return sections
    return {**sections, "skills": "\n".join(filter(None, (sections.get("skills", ""), ", ".join(moved))))}


# A capitalised name ending in an organisation word: "Tax Accounting Society", "Recruitment Committee", "Club de Robótica".
_ORGANISATION_NAME = re.compile(
    r"(?:(?:[A-ZÁÉÍÓÚÑ][\w&+.-]*\s+(?:(?:de|of|the|y|and|del|la)\s+)?){0,5}"
    r"(?:Committee|Club|Society|Association|Council|Chapter|League|Fraternity|Sorority|Comité|Asociación|Sociedad|Consejo|Capítulo)"
    r"(?:\s+(?:de|of|del)(?:\s+[A-ZÁÉÍÓÚÑ][\w&+.-]*){1,4})?)")


def _looks_like_title(line: str) -> bool:
    """A project's or course's title line: short, most words capitalised, no sentence."""
    words = re.findall(r"[^\W\d_][\w+#.-]*", line)
    if not 1 <= len(words) <= 8 or line.rstrip().endswith((".", ";")) or "," in line:
        return False
    small = {"of", "the", "and", "for", "in", "on", "a", "an", "to", "with", "de", "del", "la", "el", "y", "en", "para", "con", "los", "las"}
    capitalised = sum(w[0].isupper() for w in words if w.lower() not in small)
    content = sum(1 for w in words if w.lower() not in small)
    return content >= 2 and capitalised / content >= 0.75


#: the most words a category label before ':' in a skills list has ("Simulación y Diseño de Sistemas: Simulink")
CATEGORY_WORDS = 6
_NOT_AN_ITEM = re.compile(r"//|@|www\.|https?:|\.(?:com|org|io|science|dev|edu|gov|info|me|mx)\b|(?<!asp)(?<!vb)(?<!ado)\.net\b",
                          re.I)
#: words that make an item an organisation (a school, a department, a company), never a skill
_ORGANISATION = re.compile(r"\b(?:university|universidad|college|institute|instituto|department|departamento|"
                           r"facultad|faculty|school|escuela|inc|ltd|corp)\b|\bs\.a\.", re.I)
#: a named team ("YouTube Captions team") is an employer's unit; "Trabajo en equipo", "Team management" are skills
_NAMED_TEAM = re.compile(r"[A-ZÁÉÍÓÚ]\w*\s+(?:team|equipo)$")
#: an item that opens with one of these is a piece of a sentence ("que ofrece", "to", "mi carrera"), not a name; not
#: ml.aura.lexical.STOPWORDS, which holds "it" and "in" ("IT support" is a skill)
_FUNCTION_WORDS = frozenset({"to", "of", "the", "a", "an", "that", "which", "who", "for", "que", "el", "la", "los",
                             "las", "un", "una", "de", "del", "mi", "mis", "su", "sus", "propio", "propia"})

def is_nameable(item: str) -> bool:
    """Whether a list item the taxonomy does not know can still be a skill's name: not a link, an organisation,
    a date or a fragment of a sentence."""
    words = fold(item).split()
    return (bool(words) and words[0] not in _FUNCTION_WORDS and re.search(r"[^\W\d_]", item) is not None
            and not _NOT_AN_ITEM.search(item) and not _ORGANISATION.search(item) and not _NAMED_TEAM.search(item)
            and not dates_in(item))


def listed_skills(body: str) -> list[str]:
    """The items of a skills list, as written: split on commas, bullets, pipes and lines; a category before ':' and a
    level in parentheses dropped. Prose lines, links and dates are not items."""
    items = []
    for line in body.splitlines():
        head = line.split(":", 1)[0].strip().lstrip("•·▪●◦*-–").strip()  # a bullet before the category is no separator
        is_category = ":" in line and len(head.split()) <= CATEGORY_WORDS and not re.search(r"[,;|•]", head)
        line = line.split(":", 1)[1] if is_category else line  # "Python, SQL, Excel: advanced" is not a category
        line = re.sub(r"\([^)]*(?:\)|$)", "", line)  # a parenthesis left open runs to the end of its line
        separated = re.search(r"[,;•·|▪●◦]", line)
        if (not separated and len(line.split()) > 4) or re.match(r"\s*\[?\d+[.)\]]\s", line):
            continue  # a sentence or a numbered reference, not a list
        for item in re.split(r"[,;•·|▪●◦]|\s{2,}|\t|\s+[-–]\s+|\band\b|\by\b", line):
            item = item.strip(" .*-–()[]…")
            if item and len(item) <= 40 and len(item.split()) <= 4 and is_nameable(item):
                items.append(item)
    return items


# a run of comma-separated items inside prose: "herramientas como: scipy, numpy, numba, pandas, etc"
_INLINE_RUN = re.compile(r"[^;.\n:]+(?:,[^;.\n:]+){2,}")
_LEADING_WORD = re.compile(r"^(?:(?:using|with|including|like|such as|con|como|usando|utilizando|incluyendo|to|in|en)\s+)+", re.I)
_TRAILING_ETC = re.compile(r"\b(?:etc|and more|entre otr[oa]s|among others)\b.*$")
#: a list a third of whose items are known skills is a list of skills: its other items are skills too
INLINE_KNOWN_SHARE = 1 / 3


def inline_list_skills(text: str, is_known) -> list[str]:
    """Items of comma-separated runs written in prose ("Tools used: Python, Scikit-learn, Jupyter, AWS EC2") in
    which at least a third of the items are skills the taxonomy knows: the others are then named skills it does not."""
    found = []
    for m in _INLINE_RUN.finditer(text):
        if heads_with_date(m.group(0)):
            continue  # a dated run heads a job, a talk or a course: its other items are titles, employers, places
        items = [_LEADING_WORD.sub("", _TRAILING_ETC.sub("", i).strip(" *-–()[]…")) for i in
                 re.split(r",|\by\b|\band\b", m.group(0))]
        items = [i for i in items if len(i) > 1]
        if len(items) < 3 or any(len(i.split()) > 3 or len(i) > 30 for i in items[1:-1]):
            continue
        # the first item may carry the sentence's start ("bibliotecas como scipy"): keep its last words only
        items[0] = " ".join(items[0].split()[-2:]) if len(items[0].split()) > 3 else items[0]
        known = [is_known(i) for i in items]
        if sum(known) >= INLINE_KNOWN_SHARE * len(items):
            found += [i for i, k in zip(items, known) if not k and len(i.split()) <= 3 and is_nameable(i)]
    return found


def analyze_cv(text: str, as_of: date | None = None) -> CvProfile:
    """Read a CV. ``as_of`` is the CV's own date (the day it was scraped or sent); without one, the newest date the CV
    mentions stands for it, so years are never counted to a fixed day."""
    taxonomy = load_taxonomy()
    text = re.sub(r"([^\W\d_])-\n([^\W\d_])", r"\1\2", text)  # a word a PDF hyphenated across lines: "habi-\nlidades"
    sections = _spoken_languages_apart(split_sections(text), taxonomy.knows)
    profile = CvProfile()
    conf = profile.field_confidence
    as_of = as_of or latest_date(text, not_after=date.today()) or date.today()
    profile.as_of = as_of.isoformat()

    # Skills: a Skills section states them (its list items count even where the taxonomy does not know them);
    # elsewhere they are mentioned in passing. Titles, organisations and the languages list are not skills.
    def add(label: str, weight: float) -> None:
        profile.skill_confidence[label] = max(profile.skill_confidence.get(label, 0.0), weight)

    for name, body in sections.items():
        if name in NO_SKILLS:
            continue
        weight = STATED if name == "skills" else INFERRED
        skill_lines, titles = _skill_lines(name, body)
        lines = "\n".join(skill_lines)
        for label, _ in taxonomy.find(lines, listed=name == "skills"):
            add(label, weight)
        for label, _ in taxonomy.find_tools("\n".join(titles)):
            add(label, INFERRED)
        if name == "skills":
            for item in listed_skills(body):
                if not taxonomy.knows(item) and not _LANGUAGE.fullmatch(fold(item)):
                    add(item, INFERRED)  # named in the list though the taxonomy does not know it
        elif name not in TITLES_ONLY:
            for item in inline_list_skills(lines, taxonomy.knows):
                if not _LANGUAGE.fullmatch(fold(item)):
                    add(item, INFERRED)
    profile.skills = sorted(profile.skill_confidence, key=lambda s: (-profile.skill_confidence[s], s))
    conf["skills"] = max(profile.skill_confidence.values(), default=0.0)

    folded = fold(text)
    stated = YEARS_RE.search(folded)
    # Without an Experience heading, jobs are what opens the CV (its header and summary), never its education.
    experience = sections.get("experience") or "\n".join(sections.get(name, "") for name in ("header", "summary"))
    if stated:
        profile.years_experience, conf["years_experience"] = float(stated.group(1)), STATED
    else:
        # a range on a line naming a degree is study, not work (CVs without an Experience heading mix them)
        jobs = [span for span in spans_in(experience, as_of) if not names_a_degree(span.line)]
        studies = spans_in(sections.get("education", ""), as_of)
        profile.years_experience = years_of_work(during_studies(jobs, studies))
        conf["years_experience"] = INFERRED if profile.years_experience is not None else 0.0
    first_job = next((line for line in experience.splitlines() if line.strip()), "")
    profile.seniority = seniority_of(profile.years_experience, first_job)
    conf["seniority"] = conf["years_experience"] if profile.seniority else 0.0

    profile.education_level = education_level(sections["education"]) if "education" in sections else None
    if profile.education_level is None:
        profile.education_level = education_level(text)
    conf["education_level"] = (STATED if "education" in sections else INFERRED) if profile.education_level else 0.0

    profile.languages = languages_in(sections.get("languages", ""))
    conf["languages"] = STATED if profile.languages else INFERRED
    if not profile.languages:  # a CV that names none is at least written in one
        profile.languages = [{"language": "Spanish" if cv_language(text) == "es" else "English", "level": "native"}]

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
