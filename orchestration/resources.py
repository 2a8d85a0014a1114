"""Resources: the warehouse (single writer) and the dbt CLI, both pointed at one warehouse dir."""
from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import duckdb
from dagster import ConfigurableResource, InitResourceContext
from dagster_dbt import DbtCliResource

from foundation.settings import Settings, get_settings, keep_private
from foundation.warehouse import connect_writer, writer_lock
from orchestration.dbt_project import huntred_dbt


class WarehouseResource(ConfigurableResource):
    """The DuckDB warehouse. Holding it (for a whole in-process run) holds the writer lock."""

    #: None: HUNTRED_WAREHOUSE_DIR as it is when the run starts (not when definitions were imported)
    warehouse_dir: str | None = None

    @property
    def settings(self) -> Settings:
        settings = get_settings()
        return settings.model_copy(update={"warehouse_dir": Path(self.warehouse_dir)}) if self.warehouse_dir else settings

    @contextmanager
    def yield_for_execution(self, context: InitResourceContext) -> Iterator["WarehouseResource"]:
        # dbt runs as a subprocess and reads the same variable through profiles.yml
        os.environ["HUNTRED_WAREHOUSE_DIR"] = str(self.settings.warehouse_dir)
        os.environ["HUNTRED_ENGINE"] = self.settings.require_engine()  # profiles.yml picks dbt's target by it
        keep_private(self.settings.warehouse_dir)  # a warehouse_dir configured here is not the one settings fixed
        with writer_lock(self.settings, context.run_id):
            yield self

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        con = connect_writer(self.settings)
        try:
            yield con
        finally:
            con.close()  # the file must be free before dbt (another process) opens it


def default_resources() -> dict:
    return {
        "warehouse": WarehouseResource(),
        # the dbt installed beside this interpreter, whether or not the venv is on PATH
        "dbt": DbtCliResource(project_dir=huntred_dbt, dbt_executable=str(Path(sys.executable).with_name("dbt"))),
    }
