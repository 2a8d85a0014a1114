"""ATS events: JSON Lines, checked against ``models.ats``.

Each record is decoded first by the contract compiled to msgspec (``ingest.fast_contract``), which takes only what
the contract certainly takes; every other record (a bad one, or one only pydantic's lax parsing takes) is validated by
pydantic, which decides and words the reason. The rows are those pydantic alone would give;
``tests/ingest/test_fast_contract.py`` holds the two paths to that.
"""
from __future__ import annotations

import hashlib

import msgspec
import polars as pl
from pydantic import ValidationError

from ingest.errors import explain
from ingest.fast_contract import Window, compile_tagged_union
from ingest.types import ParsedFile
from models.ats import ATS_EVENT_ADAPTER, EVENT_TYPES

TABLE = "ats_events"
COLUMNS = ("event_id", "event_type", "module", "occurred_at", "business_unit", "candidate_id", "campaign_id",
           "event_json", "_record_number", "_content_hash")
SCHEMA = {k: (pl.Int64 if k == "_record_number" else pl.String) for k in COLUMNS}

#: compiled once, when ingestion loads: a validator of the contract without a twin fails here, loudly
FAST_DECODER, FAST_TAGS = compile_tagged_union(ATS_EVENT_ADAPTER.core_schema)
_MODULE_OF = {struct: EVENT_TYPES[tag][0] for struct, tag in FAST_TAGS.items()}


def _slow(line: bytes, number: int, parsed: ParsedFile, cols: dict[str, list]) -> None:
    """pydantic's verdict on one record: its row, or its reason in quarantine."""
    try:
        event = ATS_EVENT_ADAPTER.validate_json(line)
    except ValidationError as exc:
        code, reason = explain(exc)
        parsed.reject(TABLE, code, reason, line, number)
        return
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


def parse_ats_file(data: bytes, *, fast: bool = True) -> ParsedFile:
    """One file. ``fast=False`` sends every record through pydantic: the reference the fast path is tested against."""
    parsed = ParsedFile()
    slow: dict[str, list] = {k: [] for k in COLUMNS}
    events, lines, numbers = [], [], []
    Window.renew()
    decode = FAST_DECODER.decode
    for number, line in enumerate(data.split(b"\n"), start=1):
        if not line.strip():
            continue
        parsed.records_read += 1
        if fast:
            try:
                events.append(decode(line))
            except (msgspec.MsgspecError, ValueError):
                _slow(line, number, parsed, slow)
                continue
            lines.append(line)
            numbers.append(number)
        else:
            _slow(line, number, parsed, slow)
    kinds = [type(e) for e in events]
    fast_rows = pl.DataFrame({  # column by column: a comprehension per column is cheaper than appends per value
        "event_id": [e.event_id for e in events],
        "event_type": [FAST_TAGS[k] for k in kinds],
        "module": [_MODULE_OF[k] for k in kinds],
        "occurred_at": [e.occurred_at for e in events],  # as sent (one ISO-8601 shape): the same instant pydantic reads
        "business_unit": [e.business_unit for e in events],
        "candidate_id": [e.candidate_id for e in events],
        "campaign_id": [e.campaign_id for e in events],
        "event_json": [line.decode("utf-8") for line in lines],
        "_record_number": numbers,
        "_content_hash": [hashlib.sha256(line).hexdigest() for line in lines],
    }, schema=SCHEMA)
    rows = pl.concat([fast_rows, pl.DataFrame(slow, schema=SCHEMA)]) if slow["event_id"] else fast_rows
    parsed.good[TABLE] = rows.sort("_record_number") if slow["event_id"] and events else rows
    return parsed
