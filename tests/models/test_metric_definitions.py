"""Each ratio is defined once (models/metrics.py): dbt's macro and the docs page are generated from it."""
from __future__ import annotations

import yaml

from models import metrics
from tests.conftest import REPO


def test_the_dbt_macro_is_generated_from_the_current_definitions():
    assert metrics.MACRO_FILE.read_text(encoding="utf-8") == metrics.render_dbt_macros(), \
        "transforms/macros/metrics.sql is stale: run `python -m models.metrics`"


def test_the_metrics_page_is_generated_from_the_current_definitions():
    assert metrics.DOCS_FILE.read_text(encoding="utf-8") == metrics.render_docs(), \
        "docs/metrics.md is stale: run `python -m models.metrics`"


def test_dbt_vars_carry_the_same_parameters_as_the_python_definitions():
    dbt_vars = yaml.safe_load((REPO / "transforms" / "dbt_project.yml").read_text())["vars"]
    assert dbt_vars == {
        "attribution_lookback_days": metrics.ATTRIBUTION_LOOKBACK_DAYS,
        "time_decay_half_life_days": metrics.TIME_DECAY_HALF_LIFE_DAYS,
        "position_based_ends": metrics.POSITION_BASED_ENDS,
        "stale_after_days": metrics.STALE_AFTER_DAYS,
    }


def test_every_mart_metric_column_is_documented_in_its_model_yaml():
    described = " ".join(
        str(m.get("description", "")) for path in (REPO / "transforms" / "models" / "marts").rglob("_*__models.yml")
        for m in yaml.safe_load(path.read_text())["models"])
    for name in [m.name for m in metrics.CAMPAIGN_METRICS]:
        assert name in described, f"{name} is not described in a mart's YAML"


def test_every_metric_has_a_dbt_unit_test_or_is_checked_in_one():
    """Each metric's column appears in the expected rows of at least one dbt unit test."""
    expected_columns: set[str] = set()
    for path in (REPO / "transforms" / "models" / "marts").rglob("_*__models.yml"):
        for test in yaml.safe_load(path.read_text()).get("unit_tests", []):
            rows = test["expect"]["rows"]
            if isinstance(rows, str):  # csv
                expected_columns |= set(rows.splitlines()[0].split(","))
            else:
                expected_columns |= {k for row in rows for k in row}
    untested = [m.name for m in metrics.METRICS.values() if m.name not in expected_columns]
    assert not untested, f"metrics without a dbt unit test: {untested}"


def test_the_engagement_score_matches_the_seed_example():
    """Seed 13.12: 950 clicks, 120 applications, 12,000 reach."""
    import duckdb

    sql = metrics.METRICS["engagement_score"].sql
    (score,), = duckdb.sql(f"SELECT {sql} FROM (SELECT 950 AS clicks, 0 AS replies, 120 AS applications, 12000 AS reach)").fetchall()
    assert score == 72.5
