"""ATS events over HTTP: validated against models.ats, landed durably, picked up by the next pipeline run."""
from __future__ import annotations

import secrets
from datetime import datetime, timezone
from typing import Any

import orjson
from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from api.common import ApiRoute, problems
from api.security import ApiProblem, Caller, caller
from foundation.landing import fault_point, land
from foundation.settings import get_settings
from ingest.errors import explain
from models.ats import ATS_EVENT_ADAPTER
from models.serving import EventBatchResult, RejectedEvent

router = APIRouter(tags=["ingestion"], route_class=ApiRoute)
MAX_EVENTS = 5000

_EXAMPLE = [{"event_id": "evt_api_000001", "event_type": "gamification.points_awarded",
             "occurred_at": "2026-11-26T10:15:00-06:00", "business_unit": "huntu", "candidate_id": "cand_0000005",
             "campaign_id": None, "payload": {"points": 50, "action": "profile_completed"}}]


def validate_batch(events: list[Any]) -> tuple[list[bytes], list[RejectedEvent]]:
    """Each event as the JSON line to land, or why it is rejected (a repeated event id in the batch is rejected too)."""
    lines, rejected, seen = [], [], set()
    for index, raw in enumerate(events):
        event_id = raw.get("event_id") if isinstance(raw, dict) and isinstance(raw.get("event_id"), str) else None
        try:
            ATS_EVENT_ADAPTER.validate_python(raw)
        except ValidationError as exc:
            rejected.append(RejectedEvent(index=index, event_id=event_id, reason=explain(exc)[1]))
            continue
        if event_id in seen:
            rejected.append(RejectedEvent(index=index, event_id=event_id, reason="The same event_id appears earlier in this batch."))
            continue
        seen.add(event_id)
        lines.append(orjson.dumps(raw))
    return lines, rejected


def batch_path(now: datetime) -> str:
    return f"ats_events/http/{now:%Y-%m-%d}/{now:%H%M%S%f}-{secrets.token_hex(6)}.jsonl"


@router.post("/api/events/", status_code=202, response_model=EventBatchResult, responses=problems(401, 403, 413, 422, 429),
             summary="Land a batch of ATS events (JSON array); each rejected event comes back with its reason")
async def ingest_events(request: Request, events: list[Any] = Body(..., max_length=MAX_EVENTS, openapi_examples={
                            "one event": {"value": _EXAMPLE}}),
                        who: Caller = Depends(caller("events:write"))) -> EventBatchResult | JSONResponse:
    lines, rejected = validate_batch(events)
    if not lines:
        raise ApiProblem(422, "No event accepted", f"None of the {len(events)} events is valid; nothing was landed. "
                         + (f"First problem: event {rejected[0].index}: {rejected[0].reason}" if rejected else "The batch is empty."),
                         rejected=[r.model_dump() for r in rejected[:100]])
    relative = batch_path(datetime.now(timezone.utc))
    await run_in_threadpool(land, get_settings().landing_dir / relative, b"\n".join(lines) + b"\n")
    fault_point("events:after_land")
    request.state.rows = len(lines)
    return EventBatchResult(accepted=len(lines), rejected=rejected, landed_file=relative)
