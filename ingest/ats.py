"""ATS events: JSON Lines, validated line by line against ``models.ats``."""
from __future__ import annotations

import hashlib

import polars as pl
from pydantic import ValidationError

from ingest.errors import explain
from ingest.types import ParsedFile
from models.ats import ATS_EVENT_ADAPTER, EVENT_TYPES

TABLE = "ats_events"


def parse_ats_file(data: bytes) -> ParsedFile:
    parsed = ParsedFile()
    cols: dict[str, list] = {k: [] for k in (
        "event_id", "event_type", "module", "occurred_at", "business_unit", "candidate_id", "campaign_id",
        "event_json", "_record_number", "_content_hash")}
    validate = ATS_EVENT_ADAPTER.validate_json
    for number, line in enumerate(data.split(b"\n"), start=1):
        if not line.strip():
            continue
        parsed.records_read += 1
        try:
            event = validate(line)
        except ValidationError as exc:
            code, reason = explain(exc)
            parsed.reject(TABLE, code, reason, line, number)
            continue
        cols["event_id"].append(event.event_id)
        cols["event_type"].append(event.event_type)
        cols["module"].append(EVENT_TYPES[event.event_type][0])
        cols["occurred_at"].append(event.occurred_at.isoformat())  # DuckDB casts ISO-8601 with offset to TIMESTAMPTZ
        cols["business_unit"].append(event.business_unit.value)
        cols["candidate_id"].append(event.candidate_id)
        cols["campaign_id"].append(event.campaign_id)
        cols["event_json"].append(line.decode("utf-8"))
        cols["_record_number"].append(number)
        cols["_content_hash"].append(hashlib.sha256(line).hexdigest())
    parsed.good[TABLE] = pl.DataFrame(cols, schema={k: (pl.Int64 if k == "_record_number" else pl.String) for k in cols})
    return parsed
