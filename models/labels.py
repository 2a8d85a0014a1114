"""What people read for each stored code: business units, channels, phases, stages, attribution models, columns.

The warehouse stores stable snake_case codes (``models.enums``); pages, reports and the API show these labels
instead, all in English like the rest of the dashboard. One vocabulary, so a BU or a channel reads the same on
every page, in every legend, table header and select box.

``BUSINESS_UNIT_NAMES`` and ``PHASE_NAMES`` in ``models.enums`` are the names the dbt seeds carry (Spanish phase
names, ``huntRED executive``); they stay as the warehouse has them until the seeds are changed, and nothing
people read should use them (``label`` and ``value_labels`` do).
"""
from __future__ import annotations

import math
import re
from typing import Any, Callable

import orjson

from models.enums import (
    CHANNEL_NAMES,
    ApplicationStage,
    AssessmentType,
    BusinessUnit,
    CampaignPhase,
    ChatIntent,
    ConversationChannel,
    ConversationOutcome,
    NotificationChannel,
    QuarantineReason,
    RevenueStream,
    SourceFamily,
)
from models.metrics import METRICS, MIN_RATE_SAMPLE

def _codes(labels: dict) -> dict[str, str]:
    """Plain-string keys (enum members are str too, but polars would read a dict of them as an Enum type)."""
    return {str(code): text for code, text in labels.items()}


#: Shown where a value is missing, instead of None or nan.
MISSING = "—"

BUSINESS_UNIT_LABELS: dict[str, str] = _codes({
    BusinessUnit.HUNTRED_EXECUTIVE: "huntRED Executive",
    BusinessUnit.HUNTRED: "huntRED",
    BusinessUnit.HUNTRED_INSPIRATION: "huntRED Inspiration",
    BusinessUnit.HUNTRED_EXPERIENCE: "huntRED Experience",
    BusinessUnit.HUNTU: "huntU",
    BusinessUnit.AMIGRO: "amigro",
    BusinessUnit.HUNTRED_SOLUTIONS: "huntRED Solutions",
})

# The marketing channels keep the seed's names (the ROI report prints them too); messaging has a few more.
CHANNEL_LABELS: dict[str, str] = _codes({
    **{c.value: n for c, n in CHANNEL_NAMES.items()},
    ConversationChannel.SMS: "SMS", ConversationChannel.SLACK: "Slack", NotificationChannel.PUSH: "Push",
})

PHASE_LABELS: dict[str, str] = _codes({
    CampaignPhase.EXPECTATIVA: "Teaser",
    CampaignPhase.LANZAMIENTO: "Launch",
    CampaignPhase.CONSOLIDACION: "Consolidation",
    CampaignPhase.RETARGETING: "Retargeting",
})

STAGE_LABELS: dict[str, str] = _codes({
    ApplicationStage.APPLIED: "Applied",
    ApplicationStage.SCREENED: "Screened",
    ApplicationStage.INTERVIEWED: "Interviewed",
    ApplicationStage.OFFERED: "Offered",
    ApplicationStage.HIRED: "Hired",
    ApplicationStage.REJECTED: "Rejected",
    "time_to_hire": "Time to hire",  # fct_stage_durations: applied to hired, beside the single stages
})

ATTRIBUTION_MODEL_LABELS: dict[str, str] = {
    "first_touch": "First touch",
    "last_touch": "Last touch",
    "linear": "Linear",
    "time_decay": "Time decay",
    "position_based": "Position based",
}

INTENT_LABELS: dict[str, str] = _codes({
    ChatIntent.GREETING: "Greeting",
    ChatIntent.JOB_SEARCH: "Job search",
    ChatIntent.APPLY_JOB: "Apply to a job",
    ChatIntent.SALARY_QUESTION: "Salary question",
    ChatIntent.INTERVIEW_SCHEDULING: "Interview scheduling",
    ChatIntent.APPLICATION_STATUS: "Application status",
    ChatIntent.ASSESSMENT_HELP: "Assessment help",
    ChatIntent.FAQ: "FAQ",
    ChatIntent.HUMAN_HANDOFF: "Asks for a person",
    ChatIntent.UNKNOWN: "Not recognised",
})

OUTCOME_LABELS: dict[str, str] = _codes({
    ConversationOutcome.RESOLVED: "Resolved", ConversationOutcome.ABANDONED: "Abandoned",
    ConversationOutcome.HANDED_TO_HUMAN: "Handed to a person",
})

ASSESSMENT_TYPE_LABELS: dict[str, str] = _codes({
    AssessmentType.TECHNICAL: "Technical", AssessmentType.CULTURAL: "Cultural",
    AssessmentType.PSYCHOMETRIC: "Psychometric", AssessmentType.FEEDBACK_360: "360° feedback",
})

SOURCE_LABELS: dict[str, str] = _codes({
    SourceFamily.ATS_EVENTS: "ATS events", SourceFamily.CHANNEL_METRICS: "Channel metrics",
    SourceFamily.STRIPE: "Stripe", SourceFamily.SCRAPED_CANDIDATES: "Scraped candidates",
})

QUARANTINE_REASON_LABELS: dict[str, str] = _codes({
    QuarantineReason.MALFORMED: "Malformed", QuarantineReason.MISSING_FIELD: "Missing field",
    QuarantineReason.UNKNOWN_VALUE: "Unknown value", QuarantineReason.UNKNOWN_REFERENCE: "Unknown reference (held)",
    QuarantineReason.INVALID_VALUE: "Invalid value", QuarantineReason.DUPLICATE: "Duplicate",
    QuarantineReason.BAD_SIGNATURE: "Bad signature", QuarantineReason.NO_TEXT_LAYER: "No text layer (scan)",
})

RECONCILIATION_LABELS: dict[str, str] = {
    "matched": "Matched", "unpaid": "Unpaid", "overpaid": "Overpaid", "underpaid": "Underpaid",
    "paid_without_charge": "Paid without a charge", "charge_without_invoice": "Charge without an invoice",
}

REVENUE_STREAM_LABELS: dict[str, str] = _codes({
    RevenueStream.PLACEMENT_FEE: "Placement fees", RevenueStream.SUBSCRIPTION: "Subscriptions",
    RevenueStream.CONSULTING_FEE: "Consulting fees", RevenueStream.OTHER: "Other",
})
INVOICE_STATUS_LABELS: dict[str, str] = {"draft": "Draft", "open": "Open", "paid": "Paid",
                                         "uncollectible": "Uncollectible", "void": "Void"}
GUARANTEE_LABELS: dict[str, str] = {"replaced": "Replaced free of charge", "refunded": "Refunded"}

ALERT_LABELS: dict[str, str] = {"warning": "Warning", "critical": "Critical", "below": "Below", "above": "Above"}

#: The money metrics of ``models.metrics`` are labelled without their currency; a column of counts or amounts gets
#: its label here. A column in neither reads as its name in words (``column_label``).
COLUMN_LABELS: dict[str, str] = {
    "business_unit": "Business unit", "campaign_id": "Campaign ID", "campaign_name": "Campaign",
    "client_id": "Client ID", "client_name": "Client", "candidate_id": "Candidate", "referrer_id": "Referrer",
    "channel": "Channel", "channel_name": "Channel", "source_channel": "Source channel",
    "source_channel_name": "Source channel", "touch_channel": "Touch channel", "phase": "Phase",
    "phase_name": "Phase", "stage": "Stage", "attribution_model": "Attribution model", "template_id": "Template",
    "intent": "Intent", "assessment_type": "Assessment type", "metric": "Metric", "severity": "Severity",
    "direction": "Direction", "threshold": "Threshold", "metric_value": "Value", "meaning": "Meaning",
    "start_date": "Start", "end_date": "End", "budget_mxn": "Budget (MXN)", "status": "Status",
    "reach": "Reach", "impressions": "Impressions", "clicks": "Clicks", "sends": "Sends", "deliveries": "Deliveries",
    "reads": "Reads", "replies": "Replies", "applications": "Applications",
    "qualified_applications": "Qualified applications", "hires": "Hires", "spend_mxn": "Spend (MXN)",
    "attributed_revenue_mxn": "Attributed revenue (MXN)", "applied": "Applied", "screened": "Screened",
    "interviewed": "Interviewed", "offered": "Offered", "hired": "Hired", "rejected": "Rejected",
    "open_applications": "Open", "stale": "Stale", "offers_pending": "Offers pending",
    "campaign_applications": "Through campaigns", "organic_applications": "Organic",
    "completed": "Completed stages", "median_days": "Median days", "p90_days": "90th percentile days",
    "conversations": "Conversations", "messages": "Messages", "resolved": "Resolved by the bot",
    "handed_to_human": "Handed to a person", "abandoned": "Abandoned", "mean_intent_score": "Mean intent confidence",
    "sent": "Sent", "delivered": "Delivered", "opened": "Opened", "failed": "Failed",
    "activity_month": "Month", "points_awarded": "Points awarded", "candidates_awarded": "Candidates awarded",
    "achievements_unlocked": "Achievements unlocked", "levels_reached": "Levels reached",
    "invited": "Invited", "converted": "Converted", "reward_value": "Rewards (MXN)",
    "created": "Created", "submitted": "Submitted", "scored": "Scored", "score_sum": "Sum of scores",
    "cohort_month": "Signup month", "months_since_signup": "Months since signup", "cohort_size": "Cohort size",
    "active_candidates": "Active candidates", "revenue_date": "Day", "revenue_month": "Month",
    "gross_revenue_mxn": "Gross revenue (MXN)", "refunds_mxn": "Refunds (MXN)", "net_revenue_mxn": "Net revenue (MXN)",
    "succeeded_charges": "Successful charges", "failed_charges": "Failed charges",
    "failed_amount_mxn": "Failed amount (MXN)", "mrr_month": "Month", "starting_mrr_mxn": "Starting MRR (MXN)",
    "new_mrr_mxn": "New MRR (MXN)", "expansion_mrr_mxn": "Expansion (MXN)", "reactivation_mrr_mxn": "Reactivation (MXN)",
    "contraction_mrr_mxn": "Contraction (MXN)", "churned_mrr_mxn": "Churned MRR (MXN)", "ending_mrr_mxn": "Ending MRR (MXN)",
    "paying_customers": "Paying customers", "churned_customers": "Churned customers",
    "reconciliation_status": "Reconciliation", "invoices": "Invoices", "amount_paid": "Amount paid",
    "amount_charged": "Amount charged", "difference": "Difference",
    "scored_candidates": "Candidates scored", "expected_churners": "Expected to go inactive",
    "high_risk_candidates": "High-risk candidates", "high_risk_share": "High-risk share",
    "mean_churn_probability": "Mean churn probability", "churn_probability": "Churn probability",
    "risk_decile": "Risk decile", "propensity_apply": "Propensity to apply",
    "propensity_retargeting_response": "Propensity to answer retargeting", "churn_reasons": "Why at risk",
    "leads_at_retargeting_start": "Leads at retargeting start", "leads_recovered": "Leads recovered",
    "metric_date": "Day", "metric_week": "Week", "metric_month": "Month", "month": "Month", "week": "Week",
    "source": "Source", "target_table": "Table", "reason_code": "Reason", "reason": "Why", "records": "Records",
    "last_seen": "Last seen", "source_file": "File", "record_number": "Line", "record": "Record as delivered",
    "records_read": "Records read", "rows_loaded": "Rows in raw", "rows_quarantined": "Quarantined",
    "files_ingested": "Files", "files_pending": "Not yet ingested", "last_ingested_at": "Last ingested",
    "newest_record": "Newest record", "schema": "Schema", "table": "Table", "rows": "Rows",
    "credited_applications": "Credited applications", "credited_hires": "Credited hires",
    "credited_revenue_mxn": "Credited revenue (MXN)", "label": "Metric", "origin": "Applications",
    "revenue_stream": "Revenue stream", "invoice_number": "Invoice", "vacancy_title": "Vacancy",
    "hired_date": "Hired on", "placement_start_date": "Started", "invoice_date": "Invoiced on",
    "invoice_status": "Invoice status", "invoiced_mxn": "Invoiced (MXN)", "paid_mxn": "Paid (MXN)",
    "refunded_mxn": "Refunded (MXN)", "net_paid_mxn": "Paid, net of refunds (MXN)", "paid_date": "Paid on",
    "guarantee_outcome": "Guarantee", "small_sample": f"Fewer than {MIN_RATE_SAMPLE} cases",
}

#: Which vocabulary the values of a column are in: a table or a chart shows each value's label.
_VOCABULARIES: dict[str, dict[str, str]] = {
    "business_unit": BUSINESS_UNIT_LABELS, "channel": CHANNEL_LABELS, "phase": PHASE_LABELS, "stage": STAGE_LABELS,
    "attribution_model": ATTRIBUTION_MODEL_LABELS, "intent": INTENT_LABELS, "outcome": OUTCOME_LABELS,
    "assessment_type": ASSESSMENT_TYPE_LABELS, "source": SOURCE_LABELS, "reason_code": QUARANTINE_REASON_LABELS,
    "reconciliation_status": RECONCILIATION_LABELS, "severity": ALERT_LABELS, "direction": ALERT_LABELS,
    "metric": {m.name: m.label for m in METRICS.values()},
    "revenue_stream": REVENUE_STREAM_LABELS, "invoice_status": INVOICE_STATUS_LABELS,
    "guarantee_outcome": GUARANTEE_LABELS,
}
_COLUMN_VOCABULARY: dict[str, str] = {
    **{v: v for v in _VOCABULARIES}, "source_channel": "channel", "touch_channel": "channel",
}


def value_labels(column: str) -> dict[str, str] | None:
    """The labels of the codes a column holds (``business_unit`` -> BU names), or None if it holds no codes."""
    vocabulary = _COLUMN_VOCABULARY.get(column)
    return _VOCABULARIES[vocabulary] if vocabulary else None


def label(column: str, code: str | None) -> str:
    """The label of one code of a column (``label("channel", "occ")`` -> ``OCC Mundial``); unknown codes as given."""
    if code is None:
        return MISSING
    return (value_labels(column) or {}).get(code, code)


_MONEY = re.compile(r"_mxn$")


def column_label(column: str) -> str:
    """The header of a column: its label here, a metric's label (money metrics with their currency), or its words."""
    if column in COLUMN_LABELS:
        return COLUMN_LABELS[column]
    if column in METRICS:
        metric = METRICS[column]
        return metric.label + (" (MXN)" if metric.unit == "currency" else "")
    words = _MONEY.sub(" (MXN)", column).replace("_", " ").strip()
    return words[:1].upper() + words[1:]


# -- churn reasons -----------------------------------------------------------------------------------------------
def _count(n: float, one: str, many: str | None = None) -> str:
    n = int(round(n))
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def _trend(v: float) -> str:
    if v < 1:
        return f"Activity down to {v:.0%} of the month before"
    return f"Activity at {v:.1f}× the month before"


def _counted(zero: str, one: str, tail: str, many: str | None = None) -> Callable[[float], str]:
    """'No applications in 90 days' for none, '3 applications in 90 days' for some."""
    return lambda v: zero if v == 0 else f"{_count(v, one, many)} {tail}"


#: One sentence per churn feature and value (the features of ml.churn.features; a test keeps them in step).
CHURN_REASONS: dict[str, Callable[[float], str]] = {
    "tenure_days": lambda v: f"First seen {_count(v, 'day')} ago",
    "days_since_last_activity": lambda v: f"No activity in {_count(v, 'day')}",
    "activity_7d": _counted("No activity in the last 7 days", "activity", "in 7 days", "activities"),
    "activity_30d": _counted("No activity in the last 30 days", "activity", "in 30 days", "activities"),
    "activity_90d": _counted("No activity in the last 90 days", "activity", "in 90 days", "activities"),
    "active_days_30d": lambda v: f"Active on {_count(v, 'day')} of the last 30",
    "activity_trend": _trend,
    "chat_messages_30d": _counted("No chatbot messages in 30 days", "chatbot message", "in 30 days"),
    "conversations_90d": _counted("No chatbot conversation in 90 days", "chatbot conversation", "in 90 days"),
    "notifications_received_30d": lambda v: f"{_count(v, 'notification')} received in 30 days",
    "notification_open_rate_90d": lambda v: f"Opens {v:.0%} of notifications (90 days)",
    "notification_clicks_30d": _counted("No notification clicks in 30 days", "notification click", "in 30 days"),
    "applications_90d": _counted("No applications in 90 days", "application", "in 90 days"),
    "stage_advances_90d": _counted("No application moved forward in 90 days", "application", "moved forward in 90 days"),
    "assessments_90d": _counted("No assessments in 90 days", "assessment", "in 90 days"),
    "points_90d": _counted("No gamification points in 90 days", "point", "earned in 90 days"),
    "level": lambda v: f"Gamification level {int(v)}",
    "referrals_90d": _counted("No referrals in 90 days", "referral", "in 90 days"),
}


def churn_reason(feature: str, value: float | None) -> str:
    """``days_since_last_activity``, 45 -> ``No activity in 45 days``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return f"{column_label(feature)} unknown"
    sentence = CHURN_REASONS.get(feature)
    return sentence(value) if sentence else f"{column_label(feature)}: {value:g}"


def churn_reasons(reasons: Any) -> str:
    """The model's reasons (the JSON list of feature contributions in mart_candidate_scores) as short sentences."""
    if reasons is None:
        return MISSING
    items = orjson.loads(reasons) if isinstance(reasons, (str, bytes)) else reasons
    return "; ".join(churn_reason(r["feature"], r.get("value")) for r in items) or "No single feature stands out"

#: Applications made without a campaign (mart_funnel_cohorts' campaign id ``organic``).
ORGANIC_LABEL = "Organic (no campaign)"

# -- model metrics (MLflow) --------------------------------------------------------------------------------------
ML_METRIC_LABELS: dict[str, str] = {
    "roc_auc": "ROC-AUC", "pr_auc": "PR-AUC", "brier": "Brier score", "lift_top_decile": "Lift at top decile",
    "base_rate": "Base rate", "ndcg_at_10": "NDCG@10", "mrr_at_10": "MRR@10", "recall_at_50": "Recall@50",
    "silhouette": "Silhouette", "impact_ratio": "Impact ratio", "min_impact_ratio": "Lowest impact ratio",
}
_ML_PREFIXES = (("baseline_tfidf_", "TF-IDF baseline "), ("baseline_", "Baseline "), ("champion_", "Champion "))


def ml_metric_label(name: str) -> str:
    """``roc_auc`` -> ``ROC-AUC``, ``baseline_pr_auc`` -> ``Baseline PR-AUC``, ``silhouette_k4`` -> ``Silhouette (k = 4)``"""
    for prefix, words in _ML_PREFIXES:
        if name.startswith(prefix):
            return words + ml_metric_label(name.removeprefix(prefix))
    if name in ML_METRIC_LABELS:
        return ML_METRIC_LABELS[name]
    if re.fullmatch(r"silhouette_k\d+", name):
        return f"Silhouette (k = {name.removeprefix('silhouette_k')})"
    return column_label(name)
