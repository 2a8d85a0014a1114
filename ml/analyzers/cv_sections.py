"""A CV's sections from its headings, in Spanish or English, whatever their wording or layout.

A heading is a short line made only of section words ("PROFESSIONAL EXPERIENCE",
"Selected Experience", "Technical Skills", "Formación académica", "Skills & Interests")
and filler words ("my", "key", "de", "and"); it may lead its line ("Skills: Python, SQL",
"DEGREES Ph.D. …" in a side-heading layout, "Languages | Spanish" from a table row), and
may be letter-spaced ("E X P E R I E N C E"). The longest section phrase wins, so
"Volunteer Experience" is an activity and "Programming languages" a skills list.
"""
from __future__ import annotations

import re
from functools import lru_cache

from ml.analyzers.taxonomy import fold

#: section -> the (folded) phrases that name it
SECTION_PHRASES: dict[str, tuple[str, ...]] = {
    "summary": ("summary", "professional summary", "profile", "professional profile", "perfil", "perfil profesional",
                "resumen", "resumen profesional", "about", "about me", "acerca de mi", "sobre mi", "objective",
                "career objective", "objetivo", "objetivo profesional", "extracto", "presentacion", "biography", "biografia",
                "bio"),
    "experience": ("experience", "work experience", "professional experience", "employment", "employment history",
                   "work history", "career history", "career", "experiencia", "experiencia laboral",
                   "experiencia profesional", "trayectoria", "trayectoria profesional", "historial laboral", "empleo",
                   "empleos", "positions", "positions held", "appointments", "academic positions",
                   "research experience", "industry experience", "teaching experience", "cargos", "puestos"),
    "education": ("education", "academic background", "degrees", "qualifications", "educacion", "formacion",
                  "formacion academica", "estudios", "titulos", "grados", "educacion y formacion"),
    "skills": ("skills", "technical skills", "skills profile", "skill set", "skillset", "core competencies",
               "competencies", "competencias", "habilidades", "habilidades tecnicas", "aptitudes", "conocimientos",
               "conocimientos tecnicos", "tools", "herramientas", "technologies", "tecnologias", "tech stack", "stack",
               "programming", "programming languages", "lenguajes", "lenguajes de programacion", "frameworks",
               "libraries", "librerias", "platforms", "plataformas", "databases", "bases de datos",
               "expertise", "areas of expertise", "computer skills", "informatica", "strengths", "cloud", "devops",
               "entornos", "entornos y tecnologias", "stack tecnologico"),
    "languages": ("languages", "idiomas", "lenguas", "language skills", "spoken languages"),
    "projects": ("projects", "proyectos", "side projects", "open source", "portfolio", "portafolio"),
    "courses": ("courses", "coursework", "cursos", "certifications", "certificaciones", "certificates",
                "certificados", "training", "capacitacion", "workshops", "talleres", "courses and events", "seminars",
                "seminarios", "formacion complementaria", "graduate", "undergraduate"),
    "activities": ("activities", "actividades", "volunteer", "volunteering", "volunteer experience", "voluntariado",
                   "leadership", "leadership experience", "extracurricular", "interests", "intereses", "hobbies",
                   "aficiones", "organizations", "memberships", "affiliations", "clubs", "community",
                   "professional service", "service", "interests and activities", "events", "eventos",
                   "eventos realizados", "events organised", "events organized", "editorial roles", "editorial",
                   "reviewing", "peer review"),
    "publications": ("publications", "publicaciones", "papers", "talks", "presentations", "conferences",
                     "conferencias", "ponencias", "research", "investigacion", "grants", "funding", "patents",
                     "theses", "supervision", "teaching", "docencia", "software packages", "r packages", "media", "works",
                     "selected works", "obras"),
    "awards": ("awards", "honors", "honours", "premios", "reconocimientos", "distinciones", "achievements", "logros",
               "scholarships", "becas", "awards and honors"),
    "references": ("references", "referencias"),
    "contact": ("contact", "contacto", "links", "personal information", "personal details", "datos personales",
                "informacion personal", "enlaces", "redes"),
}
FILLER = frozenset("my key core main selected relevant professional technical work other additional recent personal "
                   "academic and y e de del la las los el en of in the a mis principales otros otras otra some "
                   "information details profile digital digitales tecnicas tecnicos personales interpersonales "
                   "blandas duras soft hard transversales specific especificas generales general informaticas".split())
MAX_HEADING_WORDS = 6


@lru_cache(maxsize=1)
def _phrases() -> dict[tuple[str, ...], str]:
    return {tuple(p.split()): section for section, phrases in SECTION_PHRASES.items() for p in phrases}


def _words(text: str) -> list[str]:
    words = re.findall(r"[a-z]+", fold(text))
    if len(words) >= 4 and all(len(w) == 1 for w in words):  # letter-spaced: "E X P E R I E N C E"
        words = ["".join(words)]
    return words


def heading_section(line: str) -> str | None:
    """The section a line names when the whole line is a heading, else None."""
    stripped = line.strip().strip("•·-*▪►#:|").strip()
    if not stripped or len(stripped) > 50 or re.search(r"\d|[.!?]$|@", stripped):
        return None
    words = _words(stripped)
    if not words or len(words) > MAX_HEADING_WORDS:
        return None
    phrases, found, i = _phrases(), None, 0
    while i < len(words):
        for size in (4, 3, 2, 1):
            key = tuple(words[i:i + size])
            if len(key) == size and key not in phrases and key[-1].endswith("s"):
                key = (*key[:-1], key[-1][:-1])  # a plural: "Employments", "Skill sets"
            if len(key) == size and key in phrases:
                found, i = found or phrases[key], i + size
                break
        else:
            if words[i] not in FILLER:
                return None
            i += 1
    return found


_LEADING_CAPS = re.compile(r"^\s*((?:[A-ZÁÉÍÓÚÑÜ&]{2,}\s+){0,3}[A-ZÁÉÍÓÚÑÜ&]{3,})\s+(\S.*)$")


def split_heading(line: str) -> tuple[str, str, bool] | None:
    """(section, rest of the line, whether the section goes on) when a line starts with a heading; None otherwise.

    A whole-line heading and a side heading ("DEGREES Ph.D. …") open a section that goes on; a labelled line
    ("Skills: Python", "Languages | Spanish") is that section for the line only: in a two-column PDF such a line
    often sits in the middle of another section.
    """
    whole = heading_section(line)
    if whole:
        return whole, "", True
    for separator in (":", " | ", "\t"):
        head, sep, rest = line.partition(separator)
        if sep and rest.strip() and (section := heading_section(head)):
            return section, rest.strip(), False
    caps = _LEADING_CAPS.match(line)
    if caps and not caps.group(2).isupper() and (section := heading_section(caps.group(1))):
        return section, caps.group(2).strip(), True
    return None


def split_sections(text: str) -> dict[str, str]:
    """Section name -> its text; what comes before the first heading is the 'header'. A section named twice
    (a second Skills block, a Languages row inside Skills) gathers both."""
    sections: dict[str, list[str]] = {"header": []}
    current = "header"
    for line in text.splitlines():
        found = split_heading(line)
        if found:
            section, rest, goes_on = found
            sections.setdefault(section, [])
            if rest:
                sections[section].append(rest)
            if goes_on:
                current = section
        else:
            sections.setdefault(current, []).append(line)
    return {name: "\n".join(lines) for name, lines in sections.items()}
