"""The daily run, and a sensor that runs the pipeline when new files land."""
from __future__ import annotations

import hashlib

from dagster import (
    AssetSelection,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    RunRequest,
    ScheduleDefinition,
    SensorEvaluationContext,
    SkipReason,
    build_schedule_from_partitioned_job,
    define_asset_job,
    in_process_executor,
    sensor,
)

from foundation.settings import get_settings
from models.enums import SourceFamily
from orchestration.defs.ingestion import CONNECTORS_GROUP
from orchestration.defs.ml import SCORING_GROUP, TRAINING_GROUP
from orchestration.defs.serving import serving_snapshot
from orchestration.defs.transforms import daily_partitions, huntred_dbt_daily_assets, huntred_dbt_ml_assets

# In-process: steps run one after another in one process, which a single-writer
# warehouse needs anyway, and which costs ~4 s less per step than multiprocess here.
_daily = AssetSelection.assets(huntred_dbt_daily_assets)
_training = AssetSelection.groups(TRAINING_GROUP)
_connectors = AssetSelection.groups(CONNECTORS_GROUP)
pipeline_job = define_asset_job("pipeline", selection=AssetSelection.all() - _daily - _training - _connectors,
                                executor_def=in_process_executor,
                                description="Ingest new landing files, build dbt, run analyzers, score with the champions, "
                                            "publish the serving snapshot.")
ml_training_job = define_asset_job(
    "ml_training", selection=_training | AssetSelection.groups(SCORING_GROUP) | AssetSelection.assets(huntred_dbt_ml_assets)
    | AssetSelection.assets(serving_snapshot),
    executor_def=in_process_executor,
    description="Retrain every model (or a selection), promote those that pass the gate (they beat the champion and "
                "their baseline on the same held-out data, with no adverse impact), re-score, publish.")
weekly_training_schedule = ScheduleDefinition(
    name="weekly_ml_training", job=ml_training_job, cron_schedule="0 4 * * 1", execution_timezone="America/Mexico_City",
    default_status=DefaultScheduleStatus.STOPPED, description="Mondays 04:00: retrain on the week's data, before the daily run.")
daily_activity_job = define_asset_job(
    "daily_activity", selection=_daily | AssetSelection.assets(serving_snapshot), executor_def=in_process_executor,
    partitions_def=daily_partitions,
    description="Build the event-sized incremental models for a day (or a range: one run), then publish the snapshot.")
daily_activity_schedule = build_schedule_from_partitioned_job(
    daily_activity_job, hour_of_day=6, minute_of_hour=30, default_status=DefaultScheduleStatus.STOPPED,
    description="Yesterday's partition, after the daily pipeline run.")

stripe_pull_job = define_asset_job(
    "stripe_pull", selection=AssetSelection.all() - _daily - _training, executor_def=in_process_executor,
    description="Pull from the Stripe API (backfill, then events since the cursor), then what the pipeline does.")
#: Hourly once a key is configured (the definitions read the environment when they load); stopped otherwise.
stripe_pull_schedule = ScheduleDefinition(
    name="hourly_stripe_pull", job=stripe_pull_job, cron_schedule="17 * * * *", execution_timezone="America/Mexico_City",
    default_status=DefaultScheduleStatus.RUNNING if get_settings().stripe_api_key else DefaultScheduleStatus.STOPPED,
    description="Every hour: new Stripe events since the cursor, ingested, built and published.")

daily_schedule = ScheduleDefinition(name="daily_pipeline", job=pipeline_job, cron_schedule="0 6 * * *",
                                    execution_timezone="America/Mexico_City", default_status=DefaultScheduleStatus.STOPPED)


def landing_fingerprint(landing_dir) -> tuple[str, int]:
    """A digest of (path, size, mtime) of every landing file: changes when anything lands."""
    digest, count = hashlib.sha256(), 0
    for family in SourceFamily:
        root = landing_dir / family.value
        if not root.exists():
            continue
        for path in sorted(root.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                st = path.stat()
                digest.update(f"{path.relative_to(landing_dir)}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
                count += 1
    return digest.hexdigest(), count


@sensor(job=pipeline_job, minimum_interval_seconds=60, default_status=DefaultSensorStatus.RUNNING,
        description="Starts the pipeline when files are added to or changed in the landing zone.")
def new_landing_files(context: SensorEvaluationContext):
    fingerprint, count = landing_fingerprint(get_settings().landing_dir)
    if count == 0:
        return SkipReason("The landing zone is empty.")
    if fingerprint == context.cursor:
        return SkipReason(f"No new files among {count}.")
    context.update_cursor(fingerprint)
    return RunRequest(run_key=fingerprint, tags={"trigger": "new_landing_files", "landing_files": str(count)})
