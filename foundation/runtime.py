"""Process environment for everything that runs Dagster or dbt (CLI, Makefile targets, tests)."""
from __future__ import annotations

import os

from foundation.settings import REPO_ROOT, get_settings


def prepare_environment() -> None:
    """Point Dagster and dbt at the configured warehouse and switch telemetry off."""
    settings = get_settings()
    os.environ["HUNTRED_WAREHOUSE_DIR"] = str(settings.warehouse_dir)
    os.environ.setdefault("DAGSTER_HOME", str(REPO_ROOT))  # where dagster.yaml lives
    os.environ["HUNTRED_DAGSTER_STORAGE"] = str(settings.dagster_storage_dir)
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    if not settings.verbose:
        # progress bars of loading model weights (transformers, Hugging Face) and of MLflow's artifact uploads are
        # noise in a terminal and in a run's log alike; read when those libraries are imported, inside the run
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        os.environ.setdefault("TQDM_DISABLE", "1")
        os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    settings.dagster_storage_dir.mkdir(parents=True, exist_ok=True)
