"""Rule segments: JSON rules (seed 3.2: ``{"skills": ["Python", "ML"], "experiencia": ">5"}``) compiled to SQL.

Rules are validated before anything runs; a bad rule raises ``SegmentRuleError``
naming the rule and saying what is wrong and what would be right. The compiled
condition is parameterised (values never enter the SQL text) and runs over the
candidate mart ``ml.candidate_profiles``.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone

import duckdb
import polars as pl

from ml.analyzers.taxonomy import MX_LOCATIONS, fold, load_taxonomy
from ml.store import ensure_tables, replace_rows
from models.enums import BusinessUnit

SENIORITIES = ("junior", "mid", "senior", "executive")
EDUCATION_ORDER = ("Preparatoria", "Carrera técnica", "Licenciatura", "Maestría", "Doctorado")
ENGLISH_ORDER = ("basic", "intermediate", "advanced", "native")
LANGUAGE_NAMES = {"ingles": "English", "english": "English", "espanol": "Spanish", "spanish": "Spanish",
                  "frances": "French", "french": "French", "aleman": "German", "german": "German"}
# rule names in Spanish (as the seed writes them) or English -> one meaning
ALIASES = {
    "skills": "skills", "habilidades": "skills", "skills_any": "skills_any", "habilidades_alguna": "skills_any",
    "experiencia": "experience", "experience": "experience", "years_experience": "experience",
    "seniority": "seniority", "nivel": "seniority", "education": "education", "educacion": "education",
    "state": "state", "estado": "state", "location": "state", "ubicacion": "state",
    "languages": "languages", "idiomas": "languages", "english_level": "english_level", "nivel_ingles": "english_level",
}
COMPARISON = re.compile(r"^\s*(>=|<=|>|<|=)?\s*(\d{1,2})\s*$")
RANGE = re.compile(r"^\s*(\d{1,2})\s*-\s*(\d{1,2})\s*$")


class SegmentRuleError(ValueError):
    def __init__(self, rule: str, problem: str):
        self.rule, self.problem = rule, problem
        super().__init__(f"Rule '{rule}': {problem}")


@dataclass
class CompiledSegment:
    where: str
    params: dict
    skills: list[str] = field(default_factory=list)  # the skills the members' score is measured on
    description: list[str] = field(default_factory=list)


def compile_rules(rules) -> CompiledSegment:
    """Validate rules and turn them into a parameterised WHERE clause over ml.candidate_profiles."""
    if not isinstance(rules, dict):
        raise SegmentRuleError("rules", f"must be a JSON object of rule name to value, not {type(rules).__name__}")
    if not rules:
        raise SegmentRuleError("rules", "is empty; give at least one rule, e.g. {\"skills\": [\"Python\"]}")
    clauses, params, described, skills = [], {}, [], []
    for raw_name, value in rules.items():
        name = ALIASES.get(fold(str(raw_name)))
        if name is None:
            raise SegmentRuleError(str(raw_name), f"is not a rule; use one of {', '.join(sorted(set(ALIASES)))}")
        p = f"p{len(params)}"
        if name in ("skills", "skills_any"):
            found = _skills(raw_name, value)
            params[p] = found
            skills += found
            clauses.append(f"list_has_{'all' if name == 'skills' else 'any'}(skills, ${p}::VARCHAR[])")
            described.append(f"{'all' if name == 'skills' else 'any'} of {', '.join(found)}")
        elif name == "experience":
            clause, text = _years(raw_name, value, p, params)
            clauses.append(clause)
            described.append(text)
        elif name == "seniority":
            chosen = _choices(raw_name, value, SENIORITIES)
            params[p] = chosen
            clauses.append(f"list_contains(${p}::VARCHAR[], seniority)")
            described.append(f"seniority {' or '.join(chosen)}")
        elif name == "education":
            level = _one_of(raw_name, value, EDUCATION_ORDER)
            params[p] = list(EDUCATION_ORDER[EDUCATION_ORDER.index(level):])
            clauses.append(f"list_contains(${p}::VARCHAR[], education_level)")
            described.append(f"education {level} or higher")
        elif name == "state":
            states = _choices(raw_name, value, tuple(MX_LOCATIONS))
            params[p] = states
            clauses.append(f"list_contains(${p}::VARCHAR[], state)")
            described.append(f"in {', '.join(states)}")
        elif name == "languages":
            names = value if isinstance(value, list) else [value]
            langs = []
            for n in names:
                lang = LANGUAGE_NAMES.get(fold(str(n)))
                if lang is None:
                    raise SegmentRuleError(str(raw_name), f"'{n}' is not a language we read in CVs; use {', '.join(sorted(set(LANGUAGE_NAMES.values())))}")
                langs.append(lang)
            params[p] = langs
            clauses.append(f"list_has_all(languages, ${p}::VARCHAR[])")
            described.append(f"speaks {', '.join(langs)}")
        else:  # english_level
            level = _one_of(raw_name, value, ENGLISH_ORDER)
            params[p] = list(ENGLISH_ORDER[ENGLISH_ORDER.index(level):])
            clauses.append(f"list_contains(${p}::VARCHAR[], english_level)")
            described.append(f"English {level} or better")
    return CompiledSegment(" AND ".join(clauses), params, skills, described)


def _skills(rule, value) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        raise SegmentRuleError(str(rule), "must be a non-empty list of skill names, e.g. [\"Python\", \"SQL\"]")
    taxonomy = load_taxonomy()
    out = []
    for v in value:
        label = taxonomy.canonical(v)
        if label is None:
            raise SegmentRuleError(str(rule), f"'{v}' is not in the skills taxonomy (ml/analyzers/skills_taxonomy.json); "
                                              "use a skill's Spanish or English name or a known alias")
        out.append(label)
    return list(dict.fromkeys(out))


def _years(rule, value, p: str, params: dict) -> tuple[str, str]:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise SegmentRuleError(str(rule), "must be years as a number or a comparison such as '>5', '>=3', '<2' or '2-6'")
    text = str(value)
    if m := RANGE.match(text):
        low, high = int(m.group(1)), int(m.group(2))
        if low > high:
            raise SegmentRuleError(str(rule), f"the range '{text}' starts above its end; write it low-high, e.g. '{high}-{low}'")
        params[p], params[p + "b"] = low, high
        return f"years_experience BETWEEN ${p} AND ${p}b", f"{low} to {high} years of experience"
    m = COMPARISON.match(text)
    if not m:
        raise SegmentRuleError(str(rule), f"'{text}' is not a comparison; use e.g. '>5', '>=3', '<2', '4' or '2-6'")
    op, years = m.group(1) or "=", int(m.group(2))
    params[p] = years
    return f"years_experience {op} ${p}", f"experience {op} {years} years"


def _choices(rule, value, allowed: tuple[str, ...]) -> list[str]:
    values = value if isinstance(value, list) else [value]
    if not values:
        raise SegmentRuleError(str(rule), f"is empty; use one or more of {', '.join(allowed)}")
    return [_one_of(rule, v, allowed) for v in values]


def _one_of(rule, value, allowed: tuple[str, ...]) -> str:
    by_fold = {fold(a): a for a in allowed}
    found = by_fold.get(fold(str(value)))
    if found is None:
        raise SegmentRuleError(str(rule), f"'{value}' is not one of {', '.join(allowed)}")
    return found


def segment_id(name: str, business_unit: str | None = None) -> str:
    """Segments belong to their BU: the same name in two BUs is two segments (a shared one, no BU, keeps its old id).

    Named by the name alone, a BU manager of amigro posting huntred's segment name took it over.
    """
    owned = fold(name).strip() if business_unit is None else f"{business_unit}\0{fold(name).strip()}"
    return "seg_" + hashlib.sha256(owned.encode()).hexdigest()[:10]


def members(con: duckdb.DuckDBPyConnection, compiled: CompiledSegment) -> pl.DataFrame:
    """candidate_id and score (share of the rules' skills held; 1.0 when the rules name none)."""
    score = "1.0" if not compiled.skills else \
        f"len(list_intersect(skills, $skills::VARCHAR[])) / {len(compiled.skills)}"
    params = {**compiled.params, **({"skills": compiled.skills} if compiled.skills else {})}
    return con.sql(f"SELECT candidate_id, ({score})::DOUBLE AS score FROM ml.candidate_profiles WHERE {compiled.where} "
                   "ORDER BY candidate_id", params=params).pl()


def save_segment(con: duckdb.DuckDBPyConnection, name: str, rules: dict, business_unit: str | None = None) -> dict:
    """Validate, compute members and store (replacing a segment of the same name). Returns the segment row."""

    if not name or not name.strip():
        raise SegmentRuleError("name", "is empty; give the segment a name")
    if business_unit is not None and business_unit not in {b.value for b in BusinessUnit}:
        raise SegmentRuleError("bu", f"'{business_unit}' is not a business unit; use one of {', '.join(b.value for b in BusinessUnit)}")
    compiled = compile_rules(rules)
    ensure_tables(con)
    found = members(con, compiled)
    now = datetime.now(timezone.utc)
    sid = segment_id(name, business_unit)
    row = {"segment_id": sid, "name": name.strip(), "rules_json": json.dumps(rules, ensure_ascii=False),
           "business_unit": business_unit, "sql_where": compiled.where, "members": found.height, "created_at": now}
    replace_rows(con, "segments", pl.DataFrame([row], schema_overrides={"business_unit": pl.String}),
                 where="segment_id = $s", params={"s": sid})
    replace_rows(con, "segment_members", found.with_columns(segment_id=pl.lit(sid), updated_at=pl.lit(now)),
                 where="segment_id = $s", params={"s": sid})
    return {**row, "description": "; ".join(compiled.description)}


def refresh_all(con: duckdb.DuckDBPyConnection) -> int:
    """Recompute the members of every stored segment (and create the default ones), after new profiles."""

    ensure_tables(con)
    stored = {(n, bu): json.loads(r) for n, r, bu in con.sql("SELECT name, rules_json, business_unit FROM ml.segments").fetchall()}
    wanted = {**{(n, bu): rules for n, (rules, bu) in DEFAULT_SEGMENTS.items()}, **stored}
    for (name, bu), rules in wanted.items():
        save_segment(con, name, rules, bu)
    # rows stored under an id of an earlier scheme (the name alone) are the same segments: drop the stale copies
    ids = [segment_id(name, bu) for name, bu in wanted]
    for table in ("segments", "segment_members"):
        con.execute(f"DELETE FROM ml.{table} WHERE segment_id NOT IN (SELECT unnest($ids::VARCHAR[]))", {"ids": ids})
    return len(wanted)


#: Segments every warehouse starts with (name -> (rules, BU)); the seed's own example first.
DEFAULT_SEGMENTS: dict[str, tuple[dict, str | None]] = {
    "Senior Data Science": ({"skills": ["Python", "ML"], "experiencia": ">5"}, "huntred"),
    "Bilingual customer service": ({"skills": ["Atención al Cliente"], "english_level": "advanced"}, "amigro"),
    "Executive finance": ({"skills_any": ["Finanzas Corporativas", "Planeación Financiera", "IFRS"], "seniority": ["senior", "executive"]},
                          "huntred_executive"),
    "Early-career tech talent": ({"skills_any": ["Python", "JavaScript", "SQL", "Java"], "experiencia": "<3"}, "huntu"),
}
