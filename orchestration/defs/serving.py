"""Publish the read-only snapshot the dashboard and API serve from, at the end of each run."""

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, asset

from access.erasure import finish_after_rebuild
from foundation.warehouse import publish_snapshot
from models.enums import SourceFamily
from orchestration.defs.ml import ML_OUTPUT_KEYS
from orchestration.defs.transforms import (
    BUILD_STATE_KEY,
    PUBLISHED_STATE_KEY,
    huntred_dbt_assets,
    huntred_dbt_daily_assets,
    huntred_dbt_ml_assets,
)
from orchestration.resources import WarehouseResource

SNAPSHOT_KEY = AssetKey(["serving", "snapshot"])


@asset(
    key=SNAPSHOT_KEY,
    group_name="serving",
    kinds={"duckdb"},
    deps=[*huntred_dbt_assets.keys, *huntred_dbt_daily_assets.keys, *huntred_dbt_ml_assets.keys, *(AssetKey(["raw", f.value]) for f in SourceFamily),
          *ML_OUTPUT_KEYS],
    description="Copy of staging/intermediate/marts/meta/quarantine/ml in a new file, made current atomically.",
)
def serving_snapshot(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    path = publish_snapshot(warehouse.settings, context.run.run_id)
    with warehouse.connect() as con:  # only now is what the tables were built from what readers see
        con.execute("INSERT OR REPLACE INTO meta.build_state SELECT $published, value, now(), $run FROM meta.build_state "
                    "WHERE key = $built", {"published": PUBLISHED_STATE_KEY, "built": BUILD_STATE_KEY, "run": context.run.run_id})
        # an erasure waiting for this rebuild: older snapshots still hold the erased candidates
        finished = finish_after_rebuild(warehouse.settings, con, path.name)
    return MaterializeResult(metadata={"snapshot": str(path), "bytes": path.stat().st_size,
                                       "erasures_finished": len(finished)})
