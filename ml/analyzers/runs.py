"""Run the analyzers over the warehouse and record them (``ml.analyzers``, ``analyzer_runs``, ``analyzer_results``).

Analyzer ids are stable (the API lists and runs them by id). The CV analyzer also
writes ``ml.candidate_profiles``, the candidate mart that segments, clusters and
matching read.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import orjson
import polars as pl

from ml.analyzers import market
from ml.analyzers.cv import VERSION as CV_VERSION
from ml.analyzers.cv import analyze_cv, cv_language, skill_extraction_score
from ml.analyzers.taxonomy import load_taxonomy
from ml.store import ensure_tables, replace_rows
from models.ground_truth import CV_SKILLS, read_truth


@dataclass(frozen=True)
class Analyzer:
    analyzer_id: int
    name: str
    type: str
    version: str
    description: str


ANALYZERS = {a.name: a for a in (
    Analyzer(1, "cv", "cv", CV_VERSION, "Skills (taxonomy, es/en), years of experience, seniority, education, "
             "languages and place read from each CV, with a confidence."),
    Analyzer(2, "skill_market", "market", "market-1.0", "Demand for each skill (vacancies per BU and state) against "
             "supply (profiled candidates in that state)."),
    Analyzer(3, "salary_ranges", "market", "market-1.0", "Monthly salary offered per role: lowest, p25, median, p75, highest."),
    Analyzer(4, "talent_quality", "talent", "talent-1.0", "Profile completeness and a 0-1 quality score per candidate."),
)}


def _now() -> datetime:
    return datetime.now(timezone.utc)


def analyze_cvs(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """One profile per scraped candidate with a readable CV (text from staging, fields from the CV analyzer)."""
    rows = con.sql("""
        SELECT c.candidate_id, c.job_title, c.email, c.phone, c.city AS listed_city, c.region AS listed_region,
               c.experience_entries, c.education_degree, v.cv_text, c.created_on
        FROM staging.stg_scraped__candidates c JOIN staging.stg_scraped__cvs v USING (candidate_id)
        ORDER BY c.candidate_id""").fetchall()
    taxonomy_version = load_taxonomy().version
    out = []
    now = _now()
    for (cid, title, email, phone, city, region, experience, degree, text, received) in rows:
        # years are counted to the day the CV reached SmartRecruiters: a CV says "present" as of then
        profile = analyze_cv(text, as_of=received.date() if received else None)
        english = next((l["level"] for l in profile.languages if l["language"] == "English"), None)
        flags = {"email": email, "phone": phone, "location": profile.state or region, "experience": experience,
                 "education": profile.education_level or degree, "skills": len(profile.skills) >= 2,
                 "years_experience": profile.years_experience is not None, "languages": profile.languages}
        share = market.completeness(flags)
        out.append({
            "candidate_id": cid, "job_title": title, "skills": profile.skills,
            "years_experience": None if profile.years_experience is None else round(profile.years_experience),
            "seniority": profile.seniority, "education_level": profile.education_level,
            "languages": [l["language"] for l in profile.languages], "english_level": english,
            "state": profile.state or region, "city": profile.city or city, "cv_language": cv_language(text),
            "cv_confidence": profile.confidence, "completeness": share, "analyzed_at": now,
            "_output": {**profile.to_dict(), "taxonomy_version": taxonomy_version},
        })
    schema = {"skills": pl.List(pl.String), "languages": pl.List(pl.String), "years_experience": pl.Int32}
    return pl.DataFrame(out, schema_overrides=schema, infer_schema_length=None) if out else pl.DataFrame()



def run_analyzers(con: duckdb.DuckDBPyConnection, run_id: str, landing_dir: Path | None = None,
                  names: list[str] | None = None) -> dict[str, dict]:
    """Run the named analyzers (default: all) and record their results; returns what each measured."""
    ensure_tables(con)
    _register(con)
    chosen = [ANALYZERS[n] for n in (names or list(ANALYZERS))]
    measured: dict[str, dict] = {}
    for analyzer in sorted(chosen, key=lambda a: a.analyzer_id):  # the CV analyzer feeds the others
        started = _now()
        results, metrics = _RUNNERS[analyzer.name](con, landing_dir)
        replace_rows(con, "analyzer_results", results.with_columns(
            analyzer_id=pl.lit(analyzer.analyzer_id, pl.Int32), run_id=pl.lit(run_id), created_at=pl.lit(_now())),
            where="analyzer_id = $a", params={"a": analyzer.analyzer_id})
        metrics = {"entities": results.height, **metrics}
        con.execute("INSERT OR REPLACE INTO ml.analyzer_runs VALUES ($r, $a, $v, $s, $f, $n, $m)",
                    {"r": run_id, "a": analyzer.analyzer_id, "v": analyzer.version, "s": started, "f": _now(),
                     "n": results.height, "m": orjson.dumps(metrics).decode()})
        con.execute("UPDATE ml.analyzers SET last_run = $f, last_run_id = $r WHERE analyzer_id = $a",
                    {"f": _now(), "r": run_id, "a": analyzer.analyzer_id})
        measured[analyzer.name] = metrics
    return measured


def _register(con: duckdb.DuckDBPyConnection) -> None:
    for a in ANALYZERS.values():
        config = {"taxonomy_version": load_taxonomy().version} if a.name == "cv" else {}
        con.execute("INSERT INTO ml.analyzers (analyzer_id, name, type, version, description, config_json) "
                    "VALUES ($i, $n, $t, $v, $d, $c) ON CONFLICT (analyzer_id) DO UPDATE SET name = excluded.name, "
                    "type = excluded.type, version = excluded.version, description = excluded.description, "
                    "config_json = excluded.config_json",
                    {"i": a.analyzer_id, "n": a.name, "t": a.type, "v": a.version, "d": a.description,
                     "c": orjson.dumps(config).decode()})


def _results(entity_type: str, ids, scores, outputs) -> pl.DataFrame:
    return pl.DataFrame({"entity_type": entity_type, "entity_id": list(ids), "score": list(scores),
                         "output_json": [orjson.dumps(o, default=str).decode() for o in outputs]},
                        schema_overrides={"score": pl.Float64})


def _run_cv(con, landing_dir):
    profiles = analyze_cvs(con)
    if profiles.is_empty():
        return _results("candidate", [], [], []), {}
    replace_rows(con, "candidate_profiles", profiles.drop("_output"))
    metrics = {"mean_confidence": round(profiles["cv_confidence"].mean(), 4)}
    truth = {t["candidate_id"]: t["skills"] for t in read_truth(landing_dir, CV_SKILLS)} if landing_dir else {}
    if truth:  # the sample data knows which skills each CV lists: measure extraction against it
        predicted = dict(zip(profiles["candidate_id"], profiles["skills"].to_list()))
        score = skill_extraction_score(predicted, {k: v for k, v in truth.items() if k in predicted})
        metrics.update({"skill_precision": score.precision, "skill_recall": score.recall, "skill_f1": score.f1,
                        "evaluated_cvs": score.candidates})
    return _results("candidate", profiles["candidate_id"], profiles["cv_confidence"], profiles["_output"]), metrics


def _run_skill_market(con, landing_dir):
    frame = market.skill_demand_supply(con)
    ids = [f"{b}|{s}|{k}" for b, s, k in frame.select("business_unit", "state", "skill").iter_rows()]
    return _results("skill_market", ids, frame["candidates_per_vacancy"], frame.to_dicts()), {
        "skills_in_demand": frame["skill"].n_unique(), "short_supply": int((frame["candidates_per_vacancy"] < 1).sum())}


def _run_salary(con, landing_dir):
    frame = market.salary_ranges(con)
    return _results("role", frame["role"], frame["median"], frame.to_dicts()), {"roles": frame.height}


def _run_talent(con, landing_dir):
    frame = con.sql("SELECT candidate_id, completeness, cv_confidence, len(skills) AS skills FROM ml.candidate_profiles").pl()
    scores = [market.quality_score(c, q, s) for c, q, s in frame.select("completeness", "cv_confidence", "skills").iter_rows()]
    outputs = [{"completeness": c, "cv_confidence": q, "skills": s, "quality_score": score}
               for (c, q, s), score in zip(frame.select("completeness", "cv_confidence", "skills").iter_rows(), scores)]
    return _results("candidate", frame["candidate_id"], scores, outputs), {
        "mean_quality": round(sum(scores) / len(scores), 4) if scores else 0.0}


_RUNNERS = {"cv": _run_cv, "skill_market": _run_skill_market, "salary_ranges": _run_salary, "talent_quality": _run_talent}
