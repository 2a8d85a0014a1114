"""Response contracts of what the platform serves (API responses, dashboard tables)."""
from __future__ import annotations

from datetime import date, datetime

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


# -- ML (seed 3.2 AURA, 3.4 Analyzers, 2.8 gamification analytics) -------------------------------------------
class ChurnReason(BaseModel):
    feature: str
    value: float
    contribution: float = Field(description="TreeSHAP contribution to the log-odds of churning.")
    reason: str


class ChurnScore(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "user_id": "cand_0000005", "business_unit": "huntred", "churn_probability": 0.52, "risk_decile": 9,
        "top_reasons": [{"feature": "days_since_last_activity", "value": 14, "contribution": 0.49,
                         "reason": "days since their last known activity: 14"}],
        "model_version": "3", "scored_for": "2026-11-01"}]})
    user_id: str = Field(description="The candidate.")
    business_unit: str | None
    churn_probability: float = Field(ge=0, le=1, description="Probability of no activity in the 30 days from scored_for.")
    risk_decile: int = Field(ge=1, le=10, description="10 = the riskiest tenth of scored candidates.")
    top_reasons: list[ChurnReason]
    model_version: str = Field(description="Version of huntred-churn (the champion when scored).")
    scored_for: date


class AnalyzerInfo(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": 1, "name": "cv", "type": "cv", "version": "cv-1.0", "description": "Skills, years, ... read from each CV.",
        "config_json": {"taxonomy_version": "2026.11"}, "last_run": "2026-11-25T06:03:12Z",
        "last_metrics": {"entities": 2000, "skill_precision": 1.0, "skill_recall": 1.0}}]})
    id: int
    name: str
    type: str
    version: str
    description: str
    config_json: dict | None
    last_run: datetime | None
    last_metrics: dict | None = Field(description="What the last run measured.")


class AnalyzerResult(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "analyzer_id": 4, "entity_type": "candidate", "entity_id": "075ade5f-0f51-4c9c-b422-c9f2ba46a89a", "score": 0.93,
        "output_json": {"completeness": 1.0, "cv_confidence": 1.0, "skills": 3, "quality_score": 0.93},
        "timestamp": "2026-11-25T06:03:12Z"}]})
    analyzer_id: int
    entity_type: str
    entity_id: str
    score: float | None
    output_json: dict
    timestamp: datetime


class SegmentInfo(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": "seg_fb675a6901", "name": "Senior Data Science", "rules": {"skills": ["Python", "ML"], "experiencia": ">5"},
        "bu": "huntred", "members": 12, "created_at": "2026-11-25T06:03:12Z"}]})
    id: str
    name: str
    rules: dict
    bu: str | None
    members: int
    created_at: datetime


class ScoreRequest(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"vacancy_id": "vac_000009", "top_k": 10}]})
    vacancy_id: str | None = Field(None, description="Rank candidates for this vacancy.")
    candidate_id: str | None = Field(None, description="Or rank vacancies for this candidate.")
    top_k: int = Field(10, ge=1, le=50)


class MatchScore(BaseModel):
    vacancy_id: str
    candidate_id: str
    score: float = Field(description="Match probability from huntred-matching.")
    similarity: float
    skill_coverage: float
    experience_fit: float
    location_match: float
    rank: int
    model_version: str
