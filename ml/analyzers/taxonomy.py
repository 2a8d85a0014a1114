"""The skills taxonomy (skills_taxonomy.json) and a small gazetteer of Mexican states and cities.

Matching is on accent- and case-folded text, on whole words, so "Estadística",
"estadistica" and "Statistics" are one skill and "Excel" is not found in "excelente".
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
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


@dataclass(frozen=True)
class Taxonomy:
    version: str
    skills: tuple[Skill, ...]
    pattern: re.Pattern  # one alternation of every name, longest first
    by_name: dict[str, str]  # folded name -> canonical label

    def canonical(self, name: str) -> str | None:
        """The canonical label of a skill name or alias (None if unknown)."""
        return self.by_name.get(fold(name).strip())

    def find(self, text: str) -> list[tuple[str, int]]:
        """(canonical label, position) of every skill mentioned in text."""
        return [(self.by_name[m.group(1)], m.start()) for m in self.pattern.finditer(fold(text))]

    @property
    def labels(self) -> list[str]:
        return [s.label for s in self.skills]


@lru_cache(maxsize=1)
def load_taxonomy(path: Path = TAXONOMY_PATH) -> Taxonomy:
    raw = json.loads(path.read_text(encoding="utf-8"))
    skills, by_name = [], {}
    for entry in raw["skills"]:
        names = tuple(dict.fromkeys(fold(n) for n in (entry["label"], entry["es"], entry["en"], *entry["aliases"])))
        skills.append(Skill(entry["label"], entry["category"], names))
        for name in names:
            by_name.setdefault(name, entry["label"])
    alternation = "|".join(re.escape(n) for n in sorted(by_name, key=len, reverse=True))
    pattern = re.compile(rf"(?<![\w/&+.#-])({alternation})(?![\w/&+#]|\.\w)")
    return Taxonomy(raw["version"], tuple(skills), pattern, by_name)


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
