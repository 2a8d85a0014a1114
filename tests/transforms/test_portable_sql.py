"""Every model, macro and data test is SQL both engines read alike; what differs lives in macros/portable.sql.

The constructs below run on DuckDB and fail on Spark, or worse, run on Spark with another meaning (a double-quoted
name is a string there; a decimal literal makes a division decimal, so 1.0 / 3 is 0.333333). Each rule is checked
on every SQL file of the project (found by walking it), and each rule is shown to catch its own example, so a rule
that stops matching fails here too.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import REPO

PROJECT = REPO / "transforms"
#: the one file allowed engine-specific SQL (inside its default__/spark__ macros)
PORTABILITY_MACROS = PROJECT / "macros" / "portable.sql"

#: rule -> (pattern over code with comments and Jinja blanked, what to write instead, a line it must catch)
RULES: dict[str, tuple[str, str, str]] = {
    "JSON arrow": (r"->>?", "json_text / json_value", "select event_json ->> '$.id'"),
    "double-quoted name": (r'"[^"\n]*"', "col('Campaign ID') (a string literal on Spark)", 'select "Campaign ID" from t'),
    "QUALIFY": (r"\bqualify\b", "a subquery with row_number() ... = 1 (Spark 4.1 rejects QUALIFY)",
                "select * from t qualify row_number() over () = 1"),
    "date_diff": (r"\bdate_?diff\s*\(", "days_between / days_elapsed / months_between_firsts",
                  "select date_diff('day', a, b)"),
    "date_trunc": (r"(?<!cast\()\bdate_trunc\s*\(", "month_start / week_start (Spark's gives a timestamp; cast it)",
                   "select date_trunc('month', d)"),
    "to_days / epoch": (r"\b(?:to_days|epoch|to_timestamp|strptime|try_strptime|strftime)\s*\(",
                        "interval 'n' day, from_unix, try_date", "select d - to_days(3)"),
    "arg_min / arg_max": (r"\barg_(?:min|max)\s*\(", "first_by (NULLs as DuckDB treats them)", "select arg_min(a, b)"),
    "min_by / any_value": (r"\b(?:min_by|max_by|any_value)\s*\(", "first_by / any_of (Spark keeps the NULLs DuckDB skips)",
                           "select min_by(a, b), any_value(c)"),
    "quantile / median": (r"\b(?:quantile_cont|quantile_disc|quantile|median)\s*\(", "percentile_approx in a macro",
                          "select quantile_cont(x, 0.5)"),
    "unnest / range": (r"\b(?:unnest|range|generate_series)\s*\(", "day_series / month_series / json_elements",
                       "select unnest(range(a, b, interval 1 day))"),
    "PIVOT / UNPIVOT": (r"\b(?:un)?pivot\b", "union all of one select per column", "unpivot (select 1) on x"),
    "ASOF join": (r"\basof\b", "a forward fill (count() over / max() over)", "from a asof left join b on x"),
    "time zone": (r"\btimezone\s*\(|timestamptz|\bat\s+time\s+zone\b", "local_date / local_day_end",
                  "select timezone('America/Mexico_City', ts)"),
    "varchar": (r"\bvarchar\b", "string (Spark wants a length)", "select x::varchar"),
    "backslash in a string": (r"'[^'\n]*\\[^'\n]*'", "a character class ([0-9]): Spark unescapes '\\d' to 'd'",
                              r"select regexp_extract(f, '(\d{4})', 1)"),
    "last element [-1]": (r"\[-\d+\]", "json_last_text (Spark's JSON paths have no negative index)",
                          "select {{ json_text('e', 'payload.phases[-1].end_date') }}"),
    "decimal literal": (r"(?<![\w.'])(?:\d+\.\d*|\.\d+)(?![\w.'e])", "1.0e0 (a double on both; 1.0 is DECIMAL on Spark)",
                        "select 1.0 / n, .5 * m, 100. * k"),
    "star modifiers": (r"\*\s*(?:exclude|except|replace)\s*\(", "name the columns", "select * exclude (a) from t"),
    "DuckDB list functions": (r"\b(?:list_\w+|string_agg|array_agg|list)\s*\(", "a portability macro",
                              "select list(x) from t"),
    "round of a double": (r"\bround\s*\((?!\s*cast\s*\()", "rounded() / money() (half up on the decimal: DuckDB's round of "
                          "0.74525 gives 0.7452, Spark's 0.7453)", "select round(avg(x), 4)"),
    "delete+insert": (r"delete\+insert", "incremental_by_day (Spark overwrites day partitions)",
                      "{{ config(incremental_strategy='delete+insert') }}"),
}


def _strings_of(jinja: str) -> str:
    """The string literals of a Jinja tag, as text: SQL handed to a macro (`json_text('e', 'a[-1]')`,
    `config(incremental_strategy='delete+insert')`) is checked like the SQL around it."""
    return " " + " ".join(m.group(2) for m in re.finditer(r"(['\"])((?:(?!\1).)*)\1", jinja, flags=re.S)) + " "


def code_of(sql: str) -> str:
    """SQL with comments blanked and each Jinja tag replaced by the strings it holds."""
    sql = re.sub(r"\{#.*?#\}", " ", sql, flags=re.S)
    sql = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", lambda m: _strings_of(m.group(0)), sql, flags=re.S)
    return re.sub(r"--[^\n]*", " ", sql)


#: macros of portable.sql written once for both engines whose body is the portable form of a construct the rules
#: refuse elsewhere (first_by is min_by made NULL-safe; incremental_by_day names each engine's strategy)
PORTABLE_PRIMITIVES = ("first_by", "incremental_by_day")


def portable_part(path: Path) -> str:
    """The SQL of a file that must be portable: all of it, except the engine macros of portable.sql."""
    text = path.read_text(encoding="utf-8")
    if path == PORTABILITY_MACROS:
        names = "|".join(("(?:default|spark)__\\w+", *PORTABLE_PRIMITIVES))
        text = re.sub(rf"\{{%-?\s*macro\s+(?:{names})\s*\(.*?endmacro\s*-?%\}}", " ", text, flags=re.S)
    return text


#: Spark-only by design: the registration of the lake's files as Spark tables (it runs on no other engine)
SPARK_ONLY = PROJECT / "macros" / "lake.sql"
SQL_FILES = sorted(p for folder in ("models", "macros", "tests") for p in (PROJECT / folder).rglob("*.sql")
                   if p != SPARK_ONLY)


def test_the_project_has_sql_to_check():
    assert len([p for p in SQL_FILES if "models" in p.parts]) >= 70 and PORTABILITY_MACROS in SQL_FILES


@pytest.mark.parametrize("rule", sorted(RULES))
def test_each_rule_catches_its_own_example(rule):
    pattern, _, example = RULES[rule]
    assert re.search(pattern, code_of(example), re.I), f"the rule {rule!r} no longer catches {example!r}"


@pytest.mark.parametrize("path", SQL_FILES, ids=lambda p: str(p.relative_to(PROJECT)))
def test_sql_is_portable(path):
    code = code_of(portable_part(path))
    found = []
    for rule, (pattern, instead, _) in RULES.items():
        for m in re.finditer(pattern, code, re.I):
            line = code.count("\n", 0, m.start()) + 1
            found.append(f"line {line}: {rule} ({m.group(0)!r}); write {instead}")
    assert not found, f"{path.relative_to(REPO)} is not portable:\n" + "\n".join(found)


def test_portable_sql_keeps_the_engines_apart_only_in_dispatched_macros():
    """Every macro of portable.sql with an engine-specific body is dispatched, so a third engine gets an error naming
    the missing macro rather than DuckDB's SQL."""
    text = PORTABILITY_MACROS.read_text(encoding="utf-8")
    engine_macros = set(re.findall(r"macro\s+(?:default|spark)__(\w+)\s*\(", text))
    dispatched = set(re.findall(r"adapter\.dispatch\('(\w+)'\)", text))
    assert engine_macros and engine_macros == dispatched
