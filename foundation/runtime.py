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
    settings.dagster_storage_dir.mkdir(parents=True, exist_ok=True)
