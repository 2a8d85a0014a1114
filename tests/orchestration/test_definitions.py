"""The Dagster definitions load, and their lineage is what we mean it to be."""
from __future__ import annotations

import json

from dagster import AssetKey, DagsterInstance, SkipReason, build_sensor_context

from ml.families import FAMILIES
from models.enums import SourceFamily
from orchestration.definitions import defs
from orchestration.defs.automation import new_landing_files
from tests.conftest import REPO


def _dbt_nodes() -> set[str]:
    manifest = json.loads((REPO / "transforms" / "target" / "manifest.json").read_text())
    return {f"{n['schema']}/{n['name']}" for n in manifest["nodes"].values() if n["resource_type"] in ("model", "seed")}


def test_definitions_load_with_every_asset_job_schedule_and_sensor():
    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    ml = {"ml/analyzers", "ml/segments"} | {f"ml/{n.replace('-', '_')}_{kind}" for n in FAMILIES for kind in ("model", "scores")}
    expected = {f"raw/{f.value}" for f in SourceFamily} | _dbt_nodes() | {"serving/snapshot", "pull/stripe"} | ml
    assert keys == expected
    assert defs.resolve_job_def("pipeline").executor_def.name == "in_process"
    assert defs.resolve_schedule_def("daily_pipeline").cron_schedule == "0 6 * * *"
    assert defs.resolve_schedule_def("weekly_ml_training").job_name == "ml_training"
    assert defs.resolve_sensor_def("new_landing_files")


def test_the_stripe_pull_runs_in_its_own_job_and_the_pipeline_never_calls_the_api():
    pull = AssetKey(["pull", "stripe"])
    assert pull not in set(defs.resolve_job_def("pipeline").asset_layer.executable_asset_keys)
    assert pull in set(defs.resolve_job_def("stripe_pull").asset_layer.executable_asset_keys)
    assert defs.resolve_schedule_def("hourly_stripe_pull").job_name == "stripe_pull"
    graph = defs.resolve_asset_graph()
    assert pull in graph.get(AssetKey(["raw", "stripe"])).parent_keys  # a killed pull's pages are ingested after it


def test_staging_reads_raw_and_the_snapshot_comes_last():
    graph = defs.resolve_asset_graph()
    parents = graph.get(AssetKey(["staging", "stg_ats__events"])).parent_keys
    assert parents == {AssetKey(["raw", "ats_events"])}
    unified = graph.get(AssetKey(["intermediate", "int_channel_metrics__unified_daily"])).parent_keys
    assert len(unified) == 9 and all(k.path[0] == "staging" for k in unified)
    snapshot_parents = graph.get(AssetKey(["serving", "snapshot"])).parent_keys
    assert {k.to_user_string() for k in snapshot_parents} >= {f"raw/{f.value}" for f in SourceFamily} | _dbt_nodes()


def test_the_pipeline_scores_with_champions_but_only_ml_training_trains():
    pipeline = {k.to_user_string() for k in defs.resolve_job_def("pipeline").asset_layer.executable_asset_keys}
    training = {k.to_user_string() for k in defs.resolve_job_def("ml_training").asset_layer.executable_asset_keys}
    assert {"ml/analyzers", "ml/churn_scores", "ml/matching_scores", "ml/segments"} <= pipeline
    assert not {k for k in pipeline if k.endswith("_model")}
    assert {f"ml/{n.replace('-', '_')}_model" for n in FAMILIES} <= training and "serving/snapshot" in training
    graph = defs.resolve_asset_graph()
    # scores come after their model and the analyzers; the snapshot waits for every score
    assert AssetKey(["ml", "churn_model"]) in graph.get(AssetKey(["ml", "churn_scores"])).parent_keys
    assert AssetKey(["ml", "analyzers"]) in graph.get(AssetKey(["ml", "matching_scores"])).parent_keys
    assert AssetKey(["ml", "churn_scores"]) in graph.get(AssetKey(["serving", "snapshot"])).parent_keys


def test_dbt_tests_and_accounting_are_asset_checks():
    checks = {(c.asset_key.to_user_string(), c.name) for c in defs.resolve_asset_graph().asset_check_keys}
    for family in SourceFamily:
        assert (f"raw/{family.value}", "records_accounted_for") in checks
    assert ("staging/stg_ats__events", "unique_stg_ats__events_event_id") in checks
    assert ("raw/ats_events", "source_unique_ats_ats_events_event_id") in checks


def test_the_sensor_requests_a_run_only_when_landing_files_change(warehouse):
    landing = warehouse / "landing" / "ats_events"
    with DagsterInstance.ephemeral() as instance:
        empty = new_landing_files(build_sensor_context(instance=instance))
        assert isinstance(empty, SkipReason)
        landing.mkdir(parents=True)
        (landing / "2026-01-01.jsonl").write_text("{}\n")
        first = new_landing_files(build_sensor_context(instance=instance))
        cursor = first.run_key
        again = new_landing_files(build_sensor_context(instance=instance, cursor=cursor))
        assert isinstance(again, SkipReason)
        (landing / "2026-01-02.jsonl").write_text("{}\n")
        second = new_landing_files(build_sensor_context(instance=instance, cursor=cursor))
        assert second.run_key != cursor


def test_definitions_load_under_dagster_dev_from_a_plain_shell():
    """Regression: under `dagster dev` (make dagster) prepare_if_dev looked for `dbt` on PATH, which a plain shell
    without an activated venv lacks, and the code location failed to load."""
    import os
    import subprocess
    import sys

    from tests.conftest import REPO

    env = {**os.environ, "PATH": "/usr/bin:/bin", "DAGSTER_IS_DEV_CLI": "1"}
    loaded = subprocess.run([sys.executable, "-c", "import orchestration.definitions as d; print(len(d.defs.jobs))"],
                            cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert loaded.returncode == 0, loaded.stderr[-2000:]
