"""The ESCO skills classification as the base of the taxonomy: a compact extract shipped with the product.

ESCO (European Skills, Competences, Qualifications and Occupations) names ~13,500 skills
and knowledge areas with Spanish and English labels. The extract keeps, per concept, its
id, type, preferred labels in both languages and the alternative labels short enough to be
written in a CV (≤ 5 words). `python -m ml.analyzers.esco PATH/TO/esco` rebuilds it from
the CSV export (the product reads only the extract; the export is not needed at run time).

Licence: © European Union, https://esco.ec.europa.eu — reuse free of charge with
attribution under Commission Decision 2011/833/EU (see esco_skills.NOTICE).
"""
from __future__ import annotations

import csv
import gzip
import json
import sys
from functools import lru_cache
from pathlib import Path

EXTRACT_PATH = Path(__file__).with_name("esco_skills.json.gz")
ESCO_VERSION = "ESCO v1.0-era CSV export (skills_es.csv, skills_en-us.csv)"
MAX_LABEL_WORDS = 5


def _labels(cell: str) -> list[str]:
    return [label.strip() for label in cell.split("\n") if label.strip() and len(label.split()) <= MAX_LABEL_WORDS]


def build(esco_dir: Path) -> dict:
    """The extract from ESCO's CSV export (its English and Spanish skills files, joined on the concept URI)."""
    read = lambda name: {r["conceptUri"]: r for r in csv.DictReader((esco_dir / name).open(encoding="utf-8"))}  # noqa: E731
    english, spanish = read("skills_en-us.csv"), read("skills_es.csv")
    concepts = []
    for uri in sorted(english.keys() & spanish.keys()):
        en, es = english[uri], spanish[uri]
        concepts.append({
            "id": uri.rsplit("/", 1)[-1], "type": en["skillType"], "en": en["preferredLabel"].strip(),
            "es": es["preferredLabel"].strip(), "alt": sorted(set(_labels(en["altLabels"]) + _labels(es["altLabels"]))),
        })
    return {"source": ESCO_VERSION, "attribution": "© European Union, ESCO, https://esco.ec.europa.eu", "concepts": concepts}


def write(extract: dict, path: Path = EXTRACT_PATH) -> None:
    # mtime=0: the same input gives the same bytes, so a rebuild shows no diff
    with gzip.GzipFile(path, "wb", mtime=0) as out:
        out.write(json.dumps(extract, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


@lru_cache(maxsize=1)
def load(path: Path = EXTRACT_PATH) -> dict:
    return json.loads(gzip.decompress(path.read_bytes()))


if __name__ == "__main__":
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "esco"
    built = build(source)
    write(built)
    print(f"{len(built['concepts'])} concepts -> {EXTRACT_PATH} ({EXTRACT_PATH.stat().st_size:,} bytes)")
