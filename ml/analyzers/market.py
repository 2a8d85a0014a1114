"""Skill, market and talent analyzers over the warehouse: pure SQL and polars, one function each.

* skill demand vs supply: vacancies asking for a skill (per BU and state) against
  profiled candidates holding it in that state;
* salary ranges per role, from the published vacancies (monthly MXN);
* talent quality: how complete a candidate's profile is and how well their CV reads.
"""
from __future__ import annotations

import duckdb
import polars as pl

from ml.analyzers.taxonomy import load_taxonomy

PROFILE_FIELDS = ("email", "phone", "location", "experience", "education", "skills", "years_experience", "languages")


def skill_demand_supply(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Per BU x state x skill: open vacancies requiring it, candidates in that state holding it, and their ratio."""
    taxonomy = load_taxonomy()
    demand = con.sql("SELECT business_unit, state, skill, count(*) AS vacancies FROM (SELECT business_unit, state, "
                     "unnest(required_skills) AS skill FROM staging.stg_ats__vacancies) GROUP BY ALL").pl()
    demand = demand.with_columns(pl.col("skill").map_elements(lambda s: taxonomy.canonical(s) or s, return_dtype=pl.String))
    demand = demand.group_by("business_unit", "state", "skill").agg(pl.col("vacancies").sum())
    supply = con.sql("SELECT state, skill, count(*) AS candidates FROM (SELECT state, unnest(skills) AS skill "
                     "FROM ml.candidate_profiles WHERE state IS NOT NULL) GROUP BY ALL").pl()
    return (demand.join(supply, on=["state", "skill"], how="left")
            .with_columns(pl.col("candidates").fill_null(0))
            .with_columns(candidates_per_vacancy=(pl.col("candidates") / pl.col("vacancies")).round(2))
            .sort("business_unit", "state", "skill"))


def salary_ranges(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Monthly salary offered per role title: vacancies, lowest, p25, median, p75 and highest midpoint."""
    return con.sql("""
        SELECT title AS role, count(*) AS vacancies, min(salary_min) AS lowest,
               quantile_cont((salary_min + salary_max) / 2, 0.25) AS p25,
               median((salary_min + salary_max) / 2) AS median,
               quantile_cont((salary_min + salary_max) / 2, 0.75) AS p75, max(salary_max) AS highest,
               any_value(currency) AS currency
        FROM staging.stg_ats__vacancies WHERE salary_min IS NOT NULL AND salary_max IS NOT NULL
        GROUP BY title ORDER BY median DESC""").pl()


def completeness(flags: dict[str, bool]) -> float:
    """Share of the profile fields a recruiter needs that are present."""
    return round(sum(bool(flags.get(f)) for f in PROFILE_FIELDS) / len(PROFILE_FIELDS), 3)


def quality_score(completeness_share: float, cv_confidence: float, skills: int) -> float:
    """0-1: half completeness, 30% how clearly the CV reads, 20% breadth of skills (5 or more is full marks)."""
    return round(0.5 * completeness_share + 0.3 * cv_confidence + 0.2 * min(1.0, skills / 5), 3)
