"""The skills taxonomy (skills_taxonomy.json) and a small gazetteer of Mexican states and cities.

Matching is on accent- and case-folded text, on whole words, so "Estadística",
"estadistica" and "Statistics" are one skill and "Excel" is not found in "excelente".
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

TAXONOMY_PATH = Path(__file__).with_name("skills_taxonomy.json")


def fold(text: str) -> str:
    """Lower case without accents: how every comparison of names is made."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@dataclass(frozen=True)
class Skill:
    label: str
    category: str
    names: tuple[str, ...]  # folded labels and aliases
    source: str = "curated"  # curated (skills_taxonomy.json) or esco


_BEFORE, _AFTER = r"(?<![\w&+.#-])", r"(?![\w&+#]|\.\w)"  # whole names; "/" may join two ("HTML/CSS", "C/C++")


def _alternation(names) -> str:
    return "|".join(re.escape(n) for n in sorted(set(names), key=len, reverse=True))


@dataclass(frozen=True)
class Taxonomy:
    """The curated skills (huntRED's own labels and aliases) on top of ESCO's classification.

    Three ways a skill is found, from the safest: a curated name anywhere (folded, so "estadistica" is
    "Estadística"); an ESCO product or language name written as ESCO writes it ("PHP", "Adobe Photoshop",
    case kept, so "LESS" is not "less"); and names too ambiguous for prose ("C", "R", "Go", "Ruby",
    "Processing") inside a skills list, or in prose only where the words around say a tool is meant
    ("written in R", "63 R packages", "programación en C"). Any name of either layer canonicalises a listed item.
    """

    version: str
    skills: tuple[Skill, ...]
    pattern: re.Pattern  # curated names, on folded text
    proper_pattern: re.Pattern | None  # ESCO proper names, case-sensitive on the text as written
    listed_pattern: re.Pattern | None  # names only a skills list may use, case-sensitive
    by_name: dict[str, str]  # folded name -> canonical label
    in_context_pattern: re.Pattern | None = None  # ambiguous names where the words around make them tools
    tools: frozenset[str] = frozenset()  # labels that name a technology, tool or product (what a title may name)

    def canonical(self, name: str) -> str | None:
        """The canonical label of a skill name or alias (None if unknown)."""
        return self.by_name.get(fold(name).strip())

    def find(self, text: str, *, listed: bool = False) -> list[tuple[str, int]]:
        """(canonical label, position) of every skill mentioned in text; ``listed`` for the text of a skills list."""
        found = [(self.by_name[m.group(1)], m.start()) for m in self.pattern.finditer(fold(text))]
        for pattern in (self.proper_pattern, self.listed_pattern if listed else self.in_context_pattern):
            if pattern is not None:
                for m in pattern.finditer(text):
                    group = 1 if m.group(1) else 2  # the in-context pattern names the tool in one of two groups
                    found.append((self.by_name[fold(m.group(group))], m.start(group)))
        return found

    def knows(self, item: str) -> bool:
        """Whether a listed item names a skill either layer holds: as a name, as a label, or written inside it."""
        return bool(self.canonical(item) or fold(item).strip() in self._folded_labels or self.find(item, listed=True))

    @cached_property
    def _folded_labels(self) -> frozenset[str]:
        return frozenset(fold(label) for label in self.labels)

    def find_tools(self, text: str) -> list[tuple[str, int]]:
        """Only the technologies and products text names: what a course's or project's title tells of its author
        ("Supervised Learning with scikit-learn" is scikit-learn; "Tax Accounting" is no skill of the person)."""
        return [(label, at) for label, at in self.find(text) if label in self.tools]

    @property
    def labels(self) -> list[str]:
        return [s.label for s in self.skills]


def _technical(name: str) -> bool:
    """A name that cannot be an ordinary word: several words, inner capitals, digits or symbols ("Adobe Photoshop", "PHP", "DB2")."""
    return " " in name or any(c.isupper() for c in name[1:]) or bool(re.search(r"[\d+#.]", name))


@lru_cache(maxsize=1)
def load_taxonomy(path: Path = TAXONOMY_PATH, with_esco: bool = True) -> Taxonomy:
    raw = json.loads(path.read_text(encoding="utf-8"))
    skills, by_name, ambiguous, tools = [], {}, set(), set()
    for entry in raw["skills"]:
        names = tuple(dict.fromkeys(fold(n) for n in (entry["label"], entry["es"], entry["en"], *entry["aliases"])))
        skills.append(Skill(entry["label"], entry["category"], names))
        if entry["category"] in TOOL_CATEGORIES:
            tools.add(entry["label"])
        for name in names:
            by_name.setdefault(name, entry["label"])
        for name in entry.get("listed_only", []):  # written as in a CV: "C", "R", "Go", "Spring"
            by_name[fold(name)] = entry["label"]
            ambiguous.add(name)
    curated = [n for n in by_name if n not in {fold(a) for a in ambiguous}]
    proper, listed = set(), set(ambiguous)
    version = raw["version"]
    if with_esco:
        from ml.analyzers.esco import load as load_esco  # lazy: only a taxonomy with ESCO pays for the extract

        esco = load_esco()
        version = f"{version}+esco"
        for concept in esco["concepts"]:
            is_name = concept["en"][:1].isupper()  # ESCO writes products, languages and standards capitalised
            label = concept["en"] if is_name else concept["es"][:1].upper() + concept["es"][1:]
            names = tuple(dict.fromkeys(fold(n) for n in (concept["en"], concept["es"], *concept["alt"])))
            if concept["type"] == "knowledge" and any(fold(l) in LANGUAGE_NAMES for l in (concept["en"],)):
                continue  # spoken languages are read as languages, not skills
            skills.append(Skill(label, "esco", names, "esco"))
            for name in names:
                by_name.setdefault(name, by_name.get(fold(label), label))
            if is_name:
                (proper if _technical(concept["en"]) else listed).add(concept["en"])
                tools.add(by_name[fold(concept["en"])])
    proper -= {n for n in proper if fold(n) in curated}
    listed -= {n for n in listed if fold(n) in curated}
    pattern = re.compile(rf"{_BEFORE}({_alternation(curated)}){_AFTER}")
    case_kept = lambda names: re.compile(rf"{_BEFORE}({_alternation(names)}){_AFTER}") if names else None  # noqa: E731
    in_prose = sorted(ambiguous & IN_PROSE_WHEN_TOLD)
    in_context = re.compile(rf"(?:{_TOOL_BEFORE})({_alternation(in_prose)}){_AFTER_IN_PROSE}|"
                            rf"{_BEFORE}({_alternation(in_prose)})(?:{_TOOL_AFTER})") if in_prose else None
    return Taxonomy(version, tuple(skills), pattern, case_kept(proper), case_kept(listed), by_name, in_context,
                    frozenset(tools))


#: the ambiguous curated names that the words around can make tools in prose: programming languages. Not ESCO's
#: capitalised single words ("Unity", "Assembly", "Salt", "Chinese", "Islam"), nor "Spring" (a season) or "REST".
IN_PROSE_WHEN_TOLD = frozenset({"C", "R", "Go"})
#: curated categories whose skills are technologies or products rather than trades ("Contabilidad", "Ventas")
TOOL_CATEGORIES = frozenset({"software", "data", "cloud"})
# Words that make an ambiguous name a tool in prose: before it ("written in R", "con Go") or after it ("R packages").
_TOOL_BEFORE = (r"(?i:\b(?:in|en|using|usando|utilizando|with|con|wrote|written in|escrito en|programming in|"
                r"programación en|programacion en|code in|código en|codigo en)\s+)")
# "Go-to-market", "R&D", "C.V.", "with R. Smith" (an initial) and "in Spring 2019" are not tools
# ("C suite", "R Hyndman": a word or a capitalised name after it is not a tool's context either)
_AFTER_IN_PROSE = r"(?![\w&+#-]|\.\w|\.\s+[A-Z]\w|\s+\d|\s+[A-Z][a-z]|\s+(?:suite|level)\b)"
_TOOL_AFTER = (r"(?i:\s+(?:packages?|paquetes?|librar(?:y|ies)|bibliotecas?|programming|language|lenguaje|scripts?|"
               r"code|código|codigo|codebase|developer|desarrollador)\b)")


#: English names of spoken languages (ESCO lists them as knowledge; a CV's languages are read apart)
LANGUAGE_NAMES = frozenset(fold(n) for n in (
    "Spanish English French German Portuguese Italian Chinese Japanese Korean Arabic Russian Hindi Bengali Urdu "
    "Catalan Valencian Galician Basque Dutch Swedish Polish Turkish Greek Hebrew Finnish Danish Norwegian Czech "
    "Slovak Hungarian Romanian Bulgarian Serbian Croatian Slovenian Ukrainian Estonian Latvian Lithuanian Irish "
    "Welsh Maltese Icelandic Albanian Macedonian Montenegrin Bosnian Persian Malay Indonesian Vietnamese Thai Tamil "
    "Telugu Marathi Gujarati Punjabi Kurdish Sanskrit Latin Swahili Afrikaans Armenian Georgian Azerbaijani Kazakh "
    "Uzbek Mongolian Tagalog Bihari Sardinian Yiddish Luxembourgish Faroese Breton Corsican Frisian Occitan "
    "Nepali Sinhala Burmese Khmer Lao Amharic Somali Yoruba Zulu Xhosa Hausa Igbo Esperanto".split()))


#: state -> its main cities (the places huntRED recruits in; enough to place a CV or a posting)
MX_LOCATIONS: dict[str, tuple[str, ...]] = {
    "Aguascalientes": ("Aguascalientes",), "Baja California": ("Tijuana", "Mexicali", "Ensenada"),
    "Baja California Sur": ("La Paz", "Los Cabos"), "Campeche": ("Campeche", "Ciudad del Carmen"),
    "Chiapas": ("Tuxtla Gutiérrez",), "Chihuahua": ("Chihuahua", "Ciudad Juárez"),
    "Ciudad de México": ("Ciudad de México", "CDMX"), "Coahuila": ("Saltillo", "Torreón", "Monclova"),
    "Colima": ("Colima", "Manzanillo"), "Durango": ("Durango",),
    "Estado de México": ("Toluca", "Naucalpan", "Tlalnepantla", "Ecatepec"),
    "Guanajuato": ("León", "Irapuato", "Celaya", "Guanajuato"), "Guerrero": ("Acapulco", "Chilpancingo"),
    "Hidalgo": ("Pachuca",), "Jalisco": ("Guadalajara", "Zapopan", "Tlaquepaque"), "Michoacán": ("Morelia",),
    "Morelos": ("Cuernavaca",), "Nayarit": ("Tepic",),
    "Nuevo León": ("Monterrey", "San Pedro Garza García", "Apodaca"), "Oaxaca": ("Oaxaca",), "Puebla": ("Puebla",),
    "Querétaro": ("Querétaro",), "Quintana Roo": ("Cancún", "Playa del Carmen"),
    "San Luis Potosí": ("San Luis Potosí",), "Sinaloa": ("Culiacán", "Mazatlán"), "Sonora": ("Hermosillo",),
    "Tabasco": ("Villahermosa",), "Tamaulipas": ("Reynosa", "Tampico", "Matamoros"), "Tlaxcala": ("Tlaxcala",),
    "Veracruz": ("Veracruz", "Xalapa"), "Yucatán": ("Mérida",), "Zacatecas": ("Zacatecas",),
}


@lru_cache(maxsize=1)
def _place_pattern() -> tuple[re.Pattern, dict[str, tuple[str, str | None]]]:
    places: dict[str, tuple[str, str | None]] = {}
    for state, cities in MX_LOCATIONS.items():
        for city in cities:
            places.setdefault(fold(city), (state, city))
        places.setdefault(fold(state), (state, None))
    alternation = "|".join(re.escape(p) for p in sorted(places, key=len, reverse=True))
    return re.compile(rf"(?<!\w)({alternation})(?!\w)"), places


def find_place(text: str) -> tuple[str | None, str | None]:
    """(state, city) of the first place named in text: 'Monterrey' gives ('Nuevo León', 'Monterrey')."""
    pattern, places = _place_pattern()
    state, city = None, None
    for m in pattern.finditer(fold(text)):
        found_state, found_city = places[m.group(1)]
        if state is None:
            state, city = found_state, found_city
        elif found_state == state and city is None:
            city = found_city
        if city and state:
            break
    return state, city
