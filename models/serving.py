"""Response contracts of what the platform serves (API responses, dashboard tables)."""
from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from models.enums import QuarantineReason, SourceFamily


class Problem(BaseModel):
    """RFC 9457 problem details: every API error has this shape."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str = Field(description="One sentence of what went wrong and what to do.")


class Health(BaseModel):
    status: str = Field(examples=["ok"])


class Readiness(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "status": "ready", "snapshot": "snapshot-20261125T060312Z.duckdb", "run_id": "9d8758a0-97be-46cd-ae93-84daa4cd154d",
        "published_at": "2026-11-25T06:03:12Z", "data_age_seconds": 4211.5}]})
    status: str
    snapshot: str
    run_id: str
    published_at: datetime
    data_age_seconds: float = Field(description="Seconds since the snapshot was published.")


class SourceStatus(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "source": "ats_events", "files_ingested": 365, "records_read": 981417, "rows_loaded": 978970,
        "rows_quarantined": 2447, "last_ingested_at": "2026-11-25T06:01:02Z", "newest_record": "2026-10-31T23:59:00Z"}]})
    source: SourceFamily
    files_ingested: int
    records_read: int
    rows_loaded: int
    rows_quarantined: int
    last_ingested_at: datetime | None
    newest_record: datetime | None = Field(description="Newest business timestamp in the source's data.")


class QuarantineCount(BaseModel):
    source: SourceFamily
    target_table: str
    reason_code: QuarantineReason
    records: int
    last_seen: datetime
