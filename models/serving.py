"""Response contracts of what the platform serves (API responses, dashboard tables)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Generic, TypeVar

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
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"vacancy_id": "vac_000009", "top_k": 10}, {"vacancy_id": "vac_000009", "candidate_id": "075ade5f-0f51-4c9c-b422-c9f2ba46a89a"}]})
    vacancy_id: str | None = Field(None, max_length=64, description="Rank candidates for this vacancy.")
    candidate_id: str | None = Field(None, max_length=64, description="Or rank vacancies for this candidate; with both, the pair's score.")
    top_k: int = Field(10, ge=1, le=50)


class MatchScore(BaseModel):
    vacancy_id: str
    candidate_id: str
    score: float = Field(description="Match probability from huntred-matching.")
    similarity: float
    skill_coverage: float
    experience_fit: float
    location_match: float
    rank: int = Field(description="Rank of the candidate for the vacancy (or of the vacancy for the candidate).")
    model_version: str
    candidate_name: str | None = Field(None, description="Pseudonymized unless the caller's role may see names.")
    candidate_email: str | None = Field(None, description="Pseudonymized unless the caller's role may see emails.")


class SegmentCreate(BaseModel):
    """A rule segment (seed 3.2): rules are the JSON the seed shows, in Spanish or English names."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "name": "Senior Data Science", "rules": {"skills": ["Python", "ML"], "experiencia": ">5"}, "bu": "huntred"}]})
    name: str = Field(min_length=1, max_length=120)
    rules: dict[str, Any]
    bu: str | None = Field(None, description="Business unit the segment belongs to; a BU manager's own BU by default.")


class AnalyzerRunStarted(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "status": "started", "analyzers": ["cv", "skill_market", "salary_ranges", "talent_quality"],
        "run_key": "analyzers-20261126T101500123456Z", "log_file": "logs/analyzers-20261126T101500123456Z.log",
        "started_at": "2026-11-26T10:15:00.123456+00:00", "coalesced": False,
        "detail": "GET /api/analyzers/ shows last_run when it has finished."}]})
    status: str = Field(description="'started', or 'running' when a run asked for earlier is still going (no second run).")
    analyzers: list[str]
    run_key: str = Field(description="Names the run; every request made while it runs gets the same one.")
    log_file: str
    started_at: str
    coalesced: bool = Field(description="True when this request joined a run already going.")
    detail: str


# -- pages and campaigns (seed 13.12, 13.14) ---------------------------------------------------------------------
T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int = Field(description="Rows matching the filters (all pages).")
    limit: int
    offset: int


class Campaign(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": "cmp_00006", "name": "Científico de Datos 2025 · huntRED executive", "business_unit": "huntred_executive",
        "client_id": None, "objective": "talent_attraction", "start_date": "2025-11-17", "end_date": "2026-01-23",
        "budget_mxn": 72903.6, "status": "finished", "reach": 12000, "clicks": 950, "applications": 120, "hires": 4,
        "spend_mxn": 61000.0, "conversion_rate": 0.01, "engagement_score": 87.0, "roi": 3.2, "retargeting_impact": 0.18}]})
    id: str
    name: str
    business_unit: str
    client_id: str | None = Field(description="The huntRED Solutions client the campaign is run for, if any.")
    objective: str | None
    start_date: date
    end_date: date
    budget_mxn: float | None
    status: str = Field(description="scheduled, active or finished, by its dates against the snapshot's newest data.")
    reach: int
    clicks: int
    applications: int
    hires: int
    spend_mxn: float
    conversion_rate: float | None = Field(description="applications / reach (docs/metrics.md).")
    engagement_score: float | None
    roi: float | None
    retargeting_impact: float | None


class ChannelMetrics(BaseModel):
    reach: int
    impressions: int
    clicks: int
    applications: int
    hires: int
    spend_mxn: float
    conversion_rate: float | None
    engagement_score: float | None


class CampaignMetrics(BaseModel):
    """The seed's 13.12 payload (reach, clicks, applications, conversion_rate, engagement_score, by_channel), plus
    the period it covers and the money figures of 13.14."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "campaign_id": "cmp_00006", "date_from": "2025-11-17", "date_to": "2026-01-23",
        "reach": 12000, "clicks": 950, "applications": 120, "conversion_rate": 0.01, "engagement_score": 87.0,
        "hires": 4, "spend_mxn": 61000.0, "attributed_revenue_mxn": 195200.0, "roi": 2.2, "retargeting_impact": 0.18,
        "by_channel": {"linkedin": {"reach": 8000, "impressions": 8000, "clicks": 700, "applications": 80, "hires": 3,
                                    "spend_mxn": 40000.0, "conversion_rate": 0.01, "engagement_score": 88.1}}}]})
    campaign_id: str
    date_from: date | None
    date_to: date | None
    reach: int
    clicks: int
    applications: int
    conversion_rate: float | None
    engagement_score: float | None
    hires: int
    spend_mxn: float
    attributed_revenue_mxn: float
    roi: float | None
    retargeting_impact: float | None = Field(description="Campaign lifetime (not split by period).")
    by_channel: dict[str, ChannelMetrics]


# -- engagement and chatbot (seed 2.1, 2.8) --------------------------------------------------------------------------
class EngagementMonth(BaseModel):
    month: date
    active_candidates: int = Field(description="Distinct candidates with any activity in the month.")
    points_awarded: int
    candidates_awarded: int
    achievements_unlocked: int
    levels_reached: int
    referrals_invited: int
    referrals_converted: int
    referral_conversion_rate: float | None


class EngagementReport(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "business_unit": "huntred", "date_from": "2026-01-01", "date_to": "2026-03-31",
        "months": [{"month": "2026-01-01", "active_candidates": 812, "points_awarded": 15400, "candidates_awarded": 640,
                    "achievements_unlocked": 210, "levels_reached": 95, "referrals_invited": 120, "referrals_converted": 18,
                    "referral_conversion_rate": 0.15}]}]})
    business_unit: str | None
    date_from: date | None
    date_to: date | None
    months: list[EngagementMonth]


class ChatbotTotals(BaseModel):
    conversations: int
    messages: int
    resolved: int
    handed_to_human: int
    abandoned: int
    chat_resolution_rate: float | None
    fallback_to_human_rate: float | None
    messages_per_conversation: float | None


class ChatIntent(BaseModel):
    intent: str
    messages: int
    mean_intent_score: float | None


class ChatbotAnalytics(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "date_from": "2026-01-01", "date_to": "2026-01-31",
        "totals": {"conversations": 410, "messages": 3900, "resolved": 300, "handed_to_human": 60, "abandoned": 50,
                   "chat_resolution_rate": 0.73, "fallback_to_human_rate": 0.15, "messages_per_conversation": 9.5},
        "by_channel": {"whatsapp": {"conversations": 300, "messages": 2900, "resolved": 220, "handed_to_human": 40,
                                    "abandoned": 40, "chat_resolution_rate": 0.73, "fallback_to_human_rate": 0.13,
                                    "messages_per_conversation": 9.7}},
        "intents": [{"intent": "vacancy_search", "messages": 900, "mean_intent_score": 0.91}]}]})
    date_from: date | None
    date_to: date | None
    totals: ChatbotTotals
    by_channel: dict[str, ChatbotTotals]
    intents: list[ChatIntent]


# -- payments (Stripe) ---------------------------------------------------------------------------------------------
class Transaction(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "charge_id": "ch_1HQtD7lAKl3l8xe5yBeAGfvh", "customer_id": "cus_pwEbx3xXaiPPgx", "customer_name": "Kavak 25",
        "customer_email": "email_3f9a0c1d2e4b5a69", "invoice_id": "in_1Nv0", "business_unit": "amigro",
        "client_id": "cli_00025", "status": "succeeded", "currency": "MXN", "amount": 12500.0, "amount_mxn": 12500.0,
        "refunded_mxn": 0.0, "failure_code": None, "charge_date": "2025-12-28"}]})
    charge_id: str
    customer_id: str
    customer_name: str | None
    customer_email: str | None = Field(description="Pseudonymized unless the caller's role may see emails.")
    invoice_id: str | None
    business_unit: str
    client_id: str | None
    status: str
    currency: str
    amount: float = Field(description="In the charge's currency (major units).")
    amount_mxn: float
    refunded_mxn: float
    failure_code: str | None
    charge_date: date


class Invoice(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "invoice_id": "in_1Nv0", "invoice_number": "HR-0001", "customer_id": "cus_pwEbx3xXaiPPgx", "customer_name": "Kavak 25",
        "customer_email": "email_3f9a0c1d2e4b5a69", "business_unit": "amigro", "client_id": "cli_00025",
        "subscription_id": "sub_1", "status": "paid", "billing_reason": "subscription_cycle", "currency": "MXN",
        "amount_due": 12500.0, "amount_paid": 12500.0, "period_start": "2025-12-01T00:00:00Z",
        "period_end": "2026-01-01T00:00:00Z", "created_at": "2025-12-01T00:00:00Z"}]})
    invoice_id: str
    invoice_number: str | None
    customer_id: str
    customer_name: str | None
    customer_email: str | None
    business_unit: str
    client_id: str | None
    subscription_id: str | None
    status: str
    billing_reason: str | None
    currency: str
    amount_due: float
    amount_paid: float
    period_start: datetime | None
    period_end: datetime | None
    created_at: datetime


class WebhookReceipt(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"received": True, "event_id": "evt_1Nv0", "duplicate": False}]})
    received: bool
    event_id: str
    duplicate: bool = Field(description="True when this event id had already been received (Stripe retries); nothing new was landed.")


# -- ingestion over HTTP ------------------------------------------------------------------------------------------
class RejectedEvent(BaseModel):
    index: int = Field(description="Position of the event in the batch (0-based).")
    event_id: str | None
    reason: str


class EventBatchResult(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "accepted": 1, "rejected": [{"index": 1, "event_id": "evt_2", "reason": "occurred_at: a date-time with a zone is required"}],
        "landed_file": "ats_events/http/2026-11-26/101500-3f9a0c1d2e4b.jsonl"}]})
    accepted: int
    rejected: list[RejectedEvent]
    landed_file: str | None = Field(description="Where the accepted events wait for the next pipeline run (landing zone).")
