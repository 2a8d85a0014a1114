"""dbt models as Dagster assets; dbt tests (on models and on raw sources) surface as asset checks.

Two groups: the models rebuilt as tables on every pipeline run, and the event-sized
incremental models (dbt tag ``daily_partitioned``), which Dagster builds per daily
partition, passing the partition's window to dbt as vars.
"""
import contextlib
import hashlib
import json
import os
import shutil
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any, Mapping

from dagster import AssetExecutionContext, BackfillPolicy, Config, DailyPartitionsDefinition
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from foundation.lake import import_spark_tables, sync_ml, sync_raw
from orchestration.dbt_project import huntred_dbt
from orchestration.resources import WarehouseResource

BUILD_STATE_KEY = "dbt_build_inputs"  # what the tables were last built from
#: what the served snapshot was built from: set only once a snapshot is current, so a run killed (or failed) between
#: the build and the publish is rebuilt and published by the next run instead of skipped as "nothing new"
PUBLISHED_STATE_KEY = "published_inputs"
DAILY_TAG = "daily_partitioned"
ML_SCORES_TAG = "ml_scores"  # models over the ml schema: built after scoring, in every run that scores

#: Days in huntRED's time zone, from the first day of the sample data's year.
daily_partitions = DailyPartitionsDefinition(start_date="2025-11-01", timezone="America/Mexico_City")


class LayerTranslator(DagsterDbtTranslator):
    """Groups follow the dbt folders (staging, intermediate, marts, seeds)."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "seeds"
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else "transforms"


translator = LayerTranslator(settings=DagsterDbtTranslatorSettings(
    enable_asset_checks=True,
    enable_source_tests_as_checks=True,  # tests on raw tables become checks of the ingestion assets
    # nine channel tables are one ingestion asset (raw/channel_metrics), and so on
    enable_duplicate_source_asset_keys=True,
))


def dbt_inputs_version(ledger_state: tuple, project_dir) -> str:
    """What a dbt build depends on: the ingested files and the dbt project's own files."""
    digest = hashlib.sha256(repr(ledger_state).encode())
    for path in sorted(project_dir.rglob("*")):
        if path.is_file() and path.suffix in {".sql", ".yml", ".csv"} and not {"target", "logs", "dbt_packages"} & set(path.parts):
            digest.update(str(path.relative_to(project_dir)).encode() + path.read_bytes())
    return digest.hexdigest()


def partition_window_vars(start: datetime, end: datetime) -> dict[str, str]:
    """dbt vars of a partition window (end exclusive), as the incremental models read them."""
    return {"window_start": start.date().isoformat(), "window_end": end.date().isoformat()}


def daily_build_args(start: datetime, end: datetime, full_refresh: bool) -> list[str]:
    """`dbt build` arguments for a run of daily partitions; a full refresh ignores the window."""
    if full_refresh:
        return ["build", "--full-refresh"]
    return ["build", "--vars", json.dumps(partition_window_vars(start, end))]


#: dbt writes ~18 MB per invocation (compiled SQL, run results, its log): the newest few are kept for debugging
DBT_OUTPUTS_KEPT = 12


def dbt_output_dir(context: AssetExecutionContext, warehouse: WarehouseResource) -> Path:
    """Where this dbt invocation writes: under the warehouse dir (not the source tree), older outputs pruned."""
    root = warehouse.settings.warehouse_dir / "dbt"
    root.mkdir(parents=True, exist_ok=True)
    older = sorted((p for p in root.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime)
    for old in older[: max(0, len(older) - DBT_OUTPUTS_KEPT + 1)]:
        shutil.rmtree(old, ignore_errors=True)
    target = root / f"{context.op_execution_context.op.name}-{context.run.run_id[:8]}-{uuid.uuid4().hex[:6]}"
    target.mkdir()
    # dagster-dbt would shutil.copy the project's partial parse here, keeping its 644 mode; a copy of ours follows the
    # process umask (owner-only, like everything under the warehouse) and dagster-dbt then leaves it be
    parsed = huntred_dbt.project_dir / "target" / "partial_parse.msgpack"
    if parsed.exists():
        (target / parsed.name).write_bytes(parsed.read_bytes())
    return target


def built_tables(results: dict, manifest: dict) -> list[tuple[str, str]]:
    """(schema, table) of every model and seed a dbt invocation built, from its run results."""
    nodes = manifest["nodes"]
    return [(nodes[r["unique_id"]]["schema"], nodes[r["unique_id"]]["alias"]) for r in results["results"]
            if r["unique_id"].split(".")[0] in ("model", "seed") and r["status"] == "success"]


def build_on_engine(context: AssetExecutionContext, warehouse: WarehouseResource, start):
    """Run dbt (``start()`` gives the invocation) on the configured engine. On DuckDB it writes the warehouse file.
    On Spark it reads the lake, brought up to date first, and the tables it built are then imported into the warehouse
    file, so the ML layer and the serving snapshot read them as they read DuckDB's (docs/scale-out.md)."""
    settings = warehouse.settings
    on_spark = settings.require_engine() == "spark"
    if on_spark:
        with warehouse.connect() as con:
            sync_raw(con, settings.lake_dir)
            sync_ml(con, settings.lake_dir, context.run.run_id)
    invocation = start()
    try:
        yield from invocation.stream()
    finally:
        # what did build is imported even when a later model or test failed: Dagster has recorded those
        # materializations, and the warehouse must hold them (on DuckDB dbt wrote them there itself)
        if on_spark and (invocation.target_path / "run_results.json").exists():
            built = built_tables(invocation.get_artifact("run_results.json"), invocation.manifest)
            with warehouse.connect() as con:
                imported = import_spark_tables(con, settings.lake_dir, built)
            context.log.info(f"{len(imported)} tables built on Spark imported into the warehouse")


class DailyBuildConfig(Config):
    full_refresh: bool = False


@dbt_assets(manifest=huntred_dbt.manifest_path, project=huntred_dbt, dagster_dbt_translator=translator,
            select=f"tag:{DAILY_TAG}", partitions_def=daily_partitions, backfill_policy=BackfillPolicy.single_run(),
            name="huntred_dbt_daily_assets")
def huntred_dbt_daily_assets(context: AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource,
                             config: DailyBuildConfig):
    # one run covers a range of days (single-run backfills): the window is the whole range
    window = context.partition_time_window
    context.log.info(f"dbt build of {window.start:%Y-%m-%d}..{window.end:%Y-%m-%d} (full refresh: {config.full_refresh})")
    yield from build_on_engine(context, warehouse, lambda: dbt.cli(
        daily_build_args(window.start, window.end, config.full_refresh), context=context,
        target_path=dbt_output_dir(context, warehouse)))


def _subsetted(context: AssetExecutionContext) -> bool:
    """Whether dagster-dbt will name the models and tests to build (a part of the assets or of their checks) rather
    than pass the project's own selection (the test dagster-dbt's get_subset_selection_for_context makes)."""
    spec = context.assets_def
    return (spec.keys_by_output_name != spec.node_keys_by_output_name
            or spec.check_specs_by_output_name != spec.node_check_specs_by_output_name)


@contextlib.contextmanager
def _environment(**values: str | None):
    """Environment variables set (None: left as they are) for the duration of a block, then restored."""
    before = {k: os.environ.get(k) for k in values}
    os.environ.update({k: v for k, v in values.items() if v is not None})
    try:
        yield
    finally:
        for k, v in before.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@dbt_assets(manifest=huntred_dbt.manifest_path, project=huntred_dbt, dagster_dbt_translator=translator,
            exclude=f"tag:{DAILY_TAG} tag:{ML_SCORES_TAG}")
def huntred_dbt_assets(context: AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    # `warehouse` is required so the run holds the writer lock while dbt writes.
    full_build = set(context.selected_asset_keys) == set(huntred_dbt_assets.keys)
    with warehouse.connect() as con:
        ledger = con.sql("SELECT count(*), max(ingested_at)::VARCHAR FROM meta.ingested_files").fetchall()[0]
        published = next(iter(con.sql("SELECT value FROM meta.build_state WHERE key = $k",
                                      params={"k": PUBLISHED_STATE_KEY}).fetchall()), None)
    version = dbt_inputs_version(tuple(ledger), huntred_dbt.project_dir)
    if full_build and published and published[0] == version:
        # Nothing new landed, no model changed, and the snapshot served was built from exactly this.
        context.log.info("dbt build skipped: no new files and no dbt changes since the last published build.")
        return
    # A part of the project runs a test when every model it reads is built in this run or upstream of it
    # ("buildable"), not as soon as one of them is ("eager"): `huntred ingest stripe` on a first build selects the
    # business units seed, and eager selection adds the relationships test from the ML marts (another job's, not yet
    # built) to it. The whole project keeps dbt's default, whose --exclude of the ML marts also drops their tests.
    # dagster-dbt drops selection flags from the arguments and reads this one from the environment, when it calls dbt.
    with _environment(DBT_INDIRECT_SELECTION="buildable" if _subsetted(context) else None):
        yield from build_on_engine(context, warehouse, lambda: dbt.cli(["build"], context=context,
                                                                      target_path=dbt_output_dir(context, warehouse)))
    if full_build:
        with warehouse.connect() as con:
            con.execute("INSERT OR REPLACE INTO meta.build_state VALUES ($k, $v, now(), $run)",
                        {"k": BUILD_STATE_KEY, "v": version, "run": context.run.run_id})


@dbt_assets(manifest=huntred_dbt.manifest_path, project=huntred_dbt, dagster_dbt_translator=translator,
            select=f"tag:{ML_SCORES_TAG}", name="huntred_dbt_ml_assets")
def huntred_dbt_ml_assets(context: AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    # Small models over the scores the ML assets just wrote (sources in schema ml): always rebuilt.
    yield from build_on_engine(context, warehouse, lambda: dbt.cli(["build"], context=context,
                                                                  target_path=dbt_output_dir(context, warehouse)))
