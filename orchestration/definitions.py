"""Everything Dagster loads: `dagster dev -m orchestration.definitions`."""
from dagster import Definitions

from orchestration.defs.automation import (
    daily_activity_job,
    daily_activity_schedule,
    daily_schedule,
    ml_training_job,
    new_landing_files,
    pipeline_job,
    stripe_pull_job,
    stripe_pull_schedule,
    weekly_training_schedule,
)
from orchestration.defs.ingestion import ingestion_assets, pull_stripe
from orchestration.defs.ml import ml_assets
from orchestration.defs.operations import operation_jobs
from orchestration.defs.serving import serving_snapshot
from orchestration.defs.transforms import huntred_dbt_assets, huntred_dbt_daily_assets, huntred_dbt_ml_assets
from orchestration.resources import default_resources

defs = Definitions(
    assets=[pull_stripe, *ingestion_assets, huntred_dbt_assets, huntred_dbt_daily_assets, *ml_assets, huntred_dbt_ml_assets,
            serving_snapshot],
    jobs=[pipeline_job, daily_activity_job, ml_training_job, stripe_pull_job, *operation_jobs],
    schedules=[daily_schedule, daily_activity_schedule, weekly_training_schedule, stripe_pull_schedule],
    sensors=[new_landing_files],
    resources=default_resources(),
)
