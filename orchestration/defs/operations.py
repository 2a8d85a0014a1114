"""Writes people ask for between scheduled runs, as Dagster jobs: saving a rule segment, erasing candidates.

They are jobs of ops, not assets: each changes rows inside tables other assets own. Running them through
Dagster gives them what every write has: the writer lock (held by the warehouse resource for the whole
run), a place in the run history, and a run id that a second writer is told about ("busy: run ... is writing").
Launch them with ``orchestration.launch`` (``save_segment``, ``erase``), never directly.
"""

from typing import Optional

import orjson
from dagster import Config, OpExecutionContext, job, op

from access.erasure import erase_everywhere
from foundation.warehouse import publish_snapshot
from ml.aura.segments import save_segment as store_segment
from orchestration.resources import WarehouseResource


class SegmentConfig(Config):
    name: str
    rules_json: str  # the rules as JSON: Dagster config has no free-form nested mapping
    business_unit: Optional[str] = None


@op(description="Store a rule segment with its members and publish a snapshot that holds it.")
def save_segment_op(context: OpExecutionContext, config: SegmentConfig, warehouse: WarehouseResource) -> dict:
    with warehouse.connect() as con:
        row = store_segment(con, config.name, orjson.loads(config.rules_json), config.business_unit)
    publish_snapshot(warehouse.settings, context.run_id)
    context.add_output_metadata({"segment_id": row["segment_id"], "members": row["members"]})
    return row


@job(description="Save a rule segment (huntred ml segment save, POST /api/aura/segment/).")
def save_segment():
    save_segment_op()


class ErasureConfig(Config):
    candidate_ids: list[str]


@op(description="Remove the candidates from landing files and every warehouse table, and record each erasure. "
                "The pipeline run launched next rebuilds the marts without them and deletes older snapshots.")
def erase_candidates_op(context: OpExecutionContext, config: ErasureConfig, warehouse: WarehouseResource) -> list[dict]:
    reports = erase_everywhere(warehouse.settings, config.candidate_ids)
    context.add_output_metadata({"candidates": len(reports),
                                 "rows_deleted": sum(sum(r.rows_deleted.values()) for r in reports)})
    return [{"candidate_id": r.candidate_id, "subject": r.subject, "landing_rewritten": r.landing_rewritten,
             "landing_deleted": r.landing_deleted, "rows_deleted": r.rows_deleted} for r in reports]


@job(description="Right to be forgotten (huntred erase candidate); a pipeline run follows it.")
def erase_candidates():
    erase_candidates_op()


operation_jobs = [save_segment, erase_candidates]
