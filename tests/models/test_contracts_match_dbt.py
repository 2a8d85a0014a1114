"""models/ and the dbt project describe the same tables and vocabularies."""
from __future__ import annotations

import csv
from pathlib import Path

import yaml

from models.enums import (
    BUSINESS_UNIT_NAMES,
    CHANNEL_NAMES,
    PHASE_NAMES,
    ApplicationStage,
    AssessmentType,
    CampaignObjective,
    NotificationChannel,
    RevenueStream,
)
from models.ml import ML_TABLES
from models.serving import SourceStatus
from models.warehouse import LINEAGE_COLUMNS, RAW_TABLES

TRANSFORMS = Path(__file__).resolve().parents[2] / "transforms"


def _yaml(pattern: str) -> list[dict]:
    return [yaml.safe_load(p.read_text()) for p in sorted((TRANSFORMS / "models").rglob(pattern))]


def _accepted_values(model: str, column: str) -> set[str]:
    for doc in _yaml("_*__models.yml"):
        for m in doc.get("models", []):
            if m["name"] == model:
                for c in m["columns"]:
                    if c["name"] == column:
                        for t in c.get("data_tests", []):
                            if isinstance(t, dict) and "accepted_values" in t:
                                return set(t["accepted_values"]["arguments"]["values"])
    raise AssertionError(f"{model}.{column} has no accepted_values test")


def _declared_sources(schema: str) -> dict[str, list[tuple[str, str]]]:
    declared = {}
    for doc in _yaml("_*__sources.yml"):
        for source in doc["sources"]:
            assert source["schema"] in ("raw", "ml")
            if source["schema"] == schema:
                for table in source["tables"]:
                    declared[table["name"]] = [(c["name"], c["data_type"]) for c in table["columns"]]
    return declared


def test_dbt_sources_declare_exactly_the_raw_tables_and_columns_ingestion_writes():
    declared = _declared_sources("raw")
    assert set(declared) == set(RAW_TABLES)
    for name, table in RAW_TABLES.items():
        expected = [(c, t.replace(" NOT NULL", "").lower()) for c, t in table.columns + LINEAGE_COLUMNS]
        assert declared[name] == expected, name


def test_seeds_hold_the_same_codes_and_names_as_the_enums():
    def seed(name: str) -> dict[str, str]:
        with (TRANSFORMS / "seeds" / f"{name}.csv").open(encoding="utf-8") as fh:
            rows = list(csv.reader(fh))[1:]
        return {r[0]: r[1] for r in rows}

    assert seed("business_units") == {k.value: v for k, v in BUSINESS_UNIT_NAMES.items()}
    assert seed("channels") == {k.value: v for k, v in CHANNEL_NAMES.items()}
    assert seed("campaign_phases") == {k.value: v for k, v in PHASE_NAMES.items()}


def test_accepted_values_tests_match_the_enums():
    assert _accepted_values("stg_ats__application_stage_changes", "to_stage") == {s.value for s in ApplicationStage}
    assert _accepted_values("stg_ats__campaigns", "objective") == {o.value for o in CampaignObjective}
    assert _accepted_values("stg_ats__assessment_events", "assessment_type") == {a.value for a in AssessmentType}
    assert _accepted_values("stg_ats__notification_events", "channel") == {c.value for c in NotificationChannel}
    assert _accepted_values("stg_stripe__invoices", "revenue_stream") == {r.value for r in RevenueStream}
    assert _accepted_values("stg_stripe__customers", "business_unit") == {b.value for b in BUSINESS_UNIT_NAMES} | {"unassigned"}


def test_every_staging_model_tests_its_primary_key():
    for doc in _yaml("_*__models.yml"):
        for model in doc.get("models", []):
            first = model["columns"][0]
            composite = [t["unique_combination"]["arguments"]["columns"] for t in model.get("data_tests", [])
                         if isinstance(t, dict) and "unique_combination" in t]
            unique = "unique" in first.get("data_tests", []) or any(first["name"] in cols for cols in composite)
            assert unique and "not_null" in first.get("data_tests", []), model["name"]


def test_api_status_model_matches_the_serving_query(on_built):
    from foundation.settings import get_settings
    from serving.snapshot import open_current
    from serving.status import source_status

    assert set(source_status(open_current(get_settings())).columns) == set(SourceStatus.model_fields)


def test_dbt_sources_over_the_ml_schema_declare_the_columns_the_ml_layer_writes():
    declared = _declared_sources("ml")
    assert declared, "the score marts read the ml schema through dbt sources"
    for name, columns in declared.items():
        expected = [(c, t.replace(" NOT NULL", "").lower()) for c, t in ML_TABLES[name].columns]
        assert columns == expected, name


#: Read off the dbt project by hand (not from models/warehouse.py): the staging models that hold ids other rows must
#: name, and the registry of ids ingestion checks those rows against. A relationships test to a model missing here
#: means a record naming an id that never arrived would fail the build and stop every later run from publishing.
_REFERENCED_MODELS = {
    "stg_ats__campaigns": "campaign",
    "stg_scraped__candidates": "scraped_candidate",
    "stg_stripe__customers": "stripe_customer",
    "stg_stripe__invoices": "stripe_invoice",
    "stg_stripe__charges": "stripe_charge",
}
#: relationships whose target is built from the same rows as the referring model (cannot dangle), or a seed:
#: every campaign of stg_ats__campaigns is a row of dim_campaigns (and of mart_campaign_summary), every client a
#: Stripe customer names is a row of dim_clients, every application of a stage duration a row of fct_applications
_DERIVED = {"mart_campaign_summary", "dim_campaigns", "dim_clients", "fct_applications"}


def test_every_relationships_test_on_source_data_has_its_reference_checked_at_ingestion():
    import json

    from models.warehouse import REGISTRIES

    manifest = json.loads((TRANSFORMS / "target" / "manifest.json").read_text())
    seeds = {n["name"] for n in manifest["nodes"].values() if n["resource_type"] == "seed"}
    targets = {n["test_metadata"]["kwargs"]["to"].split("'")[1] for n in manifest["nodes"].values()
               if n["resource_type"] == "test" and n.get("test_metadata", {}).get("name") == "relationships"}
    unguarded = targets - seeds - _DERIVED - set(_REFERENCED_MODELS)
    assert not unguarded, f"relationships to {unguarded}: declare a Registry and References in models/warehouse.py"
    declared = {ref.registry for t in RAW_TABLES.values() for ref in t.references}
    assert set(_REFERENCED_MODELS.values()) <= declared <= set(REGISTRIES)
