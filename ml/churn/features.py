"""Point-in-time engagement features of candidates at a cutoff, and the churn label after it.

A feature may only use what huntRED *knew* before the cutoff: an event that
happened before it but was delivered late (``delivery_lag_days``) is not known
until its delivery day. ``tests/ml/test_churn.py`` proves it by deleting everything
after a cutoff and getting the same features.

Activity is what the candidate did themselves (started a chatbot conversation or wrote
to it, applied, submitted an assessment, invited a referral, opened or clicked a
notification), defined once in dbt: ``intermediate.int_candidate_activity``, the model
the dashboard's active candidates and retention count. Tenure, recency, activity
counts, who is scored (active in the 30 days before the cutoff) and the label
(inactive in the 30 days after it) all read that model, so "churned" here is exactly
"not active" on the dashboard. Things done *to* a candidate (notifications delivered,
points and levels awarded, a recruiter moving their application, the bot's messages)
are not activity; some are features of their own (``notifications_received_30d``,
``points_90d``, ``level``, ``stage_advances_90d``).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Callable

import duckdb
import polars as pl

from foundation.errors import UserError

HORIZON_DAYS = 30  # "goes inactive in the next 30 days"
ACTIVE_WINDOW_DAYS = 30  # who is scored: candidates active in the 30 days before the cutoff
#: the one definition of candidate activity (transforms/models/intermediate/engagement/int_candidate_activity.sql)
ACTIVITY_TABLE = "intermediate.int_candidate_activity"

FEATURES: dict[str, str] = {
    "tenure_days": "days since the candidate's first known activity",
    "days_since_last_activity": "days since their last known activity",
    "activity_7d": "activities in the last 7 days",
    "activity_30d": "activities in the last 30 days",
    "activity_90d": "activities in the last 90 days",
    "active_days_30d": "distinct days with activity in the last 30 days",
    "activity_trend": "activities in the last 30 days over the 30 before (+1)",
    "chat_messages_30d": "chatbot messages in the last 30 days",
    "conversations_90d": "chatbot conversations started in the last 90 days",
    "notifications_received_30d": "notifications delivered to them in the last 30 days",
    "notification_open_rate_90d": "notifications opened / delivered, last 90 days",
    "notification_clicks_30d": "notification clicks in the last 30 days",
    "applications_90d": "applications in the last 90 days",
    "stage_advances_90d": "applications moved past 'applied' in the last 90 days",
    "assessments_90d": "assessments submitted in the last 90 days",
    "points_90d": "gamification points earned in the last 90 days",
    "level": "highest gamification level reached",
    "referrals_90d": "referral invitations in the last 90 days",
}

# Events as known at $cutoff: happened before it and delivered before it.
def _known_at_cutoff(table: str, columns: str) -> str:
    return f"""
    SELECT {columns}, date_diff('day', occurred_at, $cutoff::TIMESTAMPTZ) AS age_days
    FROM {table}
    WHERE candidate_id IS NOT NULL
      AND occurred_at < $cutoff::TIMESTAMPTZ
      AND occurred_at::DATE + delivery_lag_days::INTEGER < $cutoff::DATE"""


FEATURES_SQL = f"""
WITH known AS ({_known_at_cutoff("staging.stg_ats__events", "candidate_id, event_type, occurred_at, event_id")}),
activity AS ({_known_at_cutoff(ACTIVITY_TABLE, "candidate_id, event_type, occurred_at, event_id")}),
per_candidate AS (
    SELECT candidate_id,
        date_diff('day', min(occurred_at), $cutoff::TIMESTAMPTZ) AS tenure_days,
        date_diff('day', max(occurred_at), $cutoff::TIMESTAMPTZ) AS days_since_last_activity,
        count(*) FILTER (age_days < 7) AS activity_7d,
        count(*) FILTER (age_days < 30) AS activity_30d,
        count(*) FILTER (age_days < 90) AS activity_90d,
        count(DISTINCT occurred_at::DATE) FILTER (age_days < 30) AS active_days_30d,
        count(*) FILTER (age_days < 30) / (count(*) FILTER (age_days >= 30 AND age_days < 60) + 1.0) AS activity_trend
    FROM activity GROUP BY candidate_id
),
-- counts per event type, of every event known (a bot's messages count in chat_messages_30d, as before)
per_type AS (
    SELECT candidate_id,
        count(*) FILTER (age_days < 30 AND event_type = 'chatbot.message') AS chat_messages_30d,
        count(*) FILTER (age_days < 90 AND event_type = 'chatbot.conversation_started') AS conversations_90d,
        count(*) FILTER (age_days < 30 AND event_type = 'notification.clicked') AS notification_clicks_30d,
        count(*) FILTER (age_days < 90 AND event_type = 'assessment.submitted') AS assessments_90d,
        count(*) FILTER (age_days < 90 AND event_type = 'referral.invited') AS referrals_90d,
        count(*) FILTER (age_days < 90 AND event_type = 'notification.opened') AS opened_90d,
        count(*) FILTER (age_days < 30 AND event_type = 'notification.delivered') AS notifications_received_30d,
        count(*) FILTER (age_days < 90 AND event_type = 'notification.delivered') AS delivered_90d
    FROM known GROUP BY candidate_id
),
workflow AS (
    SELECT k.candidate_id,
        count(*) FILTER (e.to_stage = 'applied') AS applications_90d,
        count(*) FILTER (e.to_stage IN ('screened', 'interviewed', 'offered', 'hired')) AS stage_advances_90d
    FROM known k JOIN staging.stg_ats__application_stage_changes e USING (event_id)
    WHERE k.event_type = 'workflow.stage_changed' AND k.age_days < 90 GROUP BY k.candidate_id
),
gamification AS (
    SELECT k.candidate_id,
        coalesce(sum(e.points) FILTER (k.event_type = 'gamification.points_awarded' AND k.age_days < 90), 0) AS points_90d,
        coalesce(max(e.level) FILTER (k.event_type = 'gamification.level_reached'), 0) AS level
    FROM known k JOIN staging.stg_ats__gamification_events e USING (event_id)
    WHERE k.event_type IN ('gamification.points_awarded', 'gamification.level_reached') GROUP BY k.candidate_id
),
business_unit AS (
    SELECT candidate_id, arg_max(business_unit, occurred_at) AS business_unit
    FROM staging.stg_ats__events WHERE candidate_id IS NOT NULL AND occurred_at < $cutoff::TIMESTAMPTZ GROUP BY candidate_id
)
SELECT p.candidate_id, b.business_unit, $cutoff::DATE AS cutoff,
    p.tenure_days, p.days_since_last_activity, p.activity_7d, p.activity_30d, p.activity_90d, p.active_days_30d,
    p.activity_trend, coalesce(t.chat_messages_30d, 0) AS chat_messages_30d,
    coalesce(t.conversations_90d, 0) AS conversations_90d,
    coalesce(t.notifications_received_30d, 0) AS notifications_received_30d,
    coalesce(t.opened_90d, 0) / greatest(coalesce(t.delivered_90d, 0), 1) AS notification_open_rate_90d,
    coalesce(t.notification_clicks_30d, 0) AS notification_clicks_30d, coalesce(w.applications_90d, 0) AS applications_90d,
    coalesce(w.stage_advances_90d, 0) AS stage_advances_90d, coalesce(t.assessments_90d, 0) AS assessments_90d,
    coalesce(g.points_90d, 0) AS points_90d, coalesce(g.level, 0) AS level, coalesce(t.referrals_90d, 0) AS referrals_90d
FROM per_candidate p
LEFT JOIN per_type t USING (candidate_id)
LEFT JOIN workflow w USING (candidate_id)
LEFT JOIN gamification g USING (candidate_id)
LEFT JOIN business_unit b USING (candidate_id)
WHERE p.days_since_last_activity < {ACTIVE_WINDOW_DAYS}
ORDER BY p.candidate_id
"""

#: the candidates active in the 30 days after the cutoff, by the dashboard's definition: the others churned
LABEL_SQL = f"""
SELECT DISTINCT candidate_id FROM {ACTIVITY_TABLE}
WHERE occurred_at >= $cutoff::TIMESTAMPTZ AND occurred_at < $cutoff::TIMESTAMPTZ + INTERVAL {HORIZON_DAYS} DAY
"""


def features_at(con: duckdb.DuckDBPyConnection, cutoff: date) -> pl.DataFrame:
    """One row per candidate active in the 30 days before `cutoff`, features known at the cutoff (Mexico City midnight)."""
    return con.sql(FEATURES_SQL, params={"cutoff": midnight(cutoff)}).pl().with_columns(pl.col("cutoff").cast(pl.Date))


@dataclass(frozen=True)
class Target:
    """What a model predicts about the 30 days after a cutoff: `sql` lists the candidates who did the thing."""

    name: str
    sql: str
    positive_if_found: bool  # churn is positive when the candidate is *not* found


CHURN = Target("churned", LABEL_SQL, positive_if_found=False)


def labelled_at(con: duckdb.DuckDBPyConnection, cutoff: date, target: Target = CHURN) -> pl.DataFrame:
    """Candidates' features at the cutoff plus `label` (0/1) for the target over the 30 days after it."""
    return CANDIDATES.labelled_at(con, cutoff, target)


def midnight(day: date) -> str:
    """The cutoff instant of a day: huntRED's day starts at midnight in Mexico City (no DST since 2022)."""
    return f"{day.isoformat()} 00:00:00-06:00"


@dataclass(frozen=True)
class CutoffPlan:
    train: list[date]
    validation: list[date]
    test: list[date]
    score: date  # the cutoff scored for production: the day after the newest data


def plan_cutoffs(first_day: date, last_day: date, history_days: int = 60) -> CutoffPlan:
    """Monthly cutoffs (1st of each month) whose 30-day label window is complete: last two test, one validation."""
    cutoffs, day = [], date(first_day.year, first_day.month, 1)
    while day + timedelta(days=HORIZON_DAYS) <= last_day + timedelta(days=1):
        if day >= first_day + timedelta(days=history_days):
            cutoffs.append(day)
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    if len(cutoffs) < 4:

        raise UserError(f"Only {len(cutoffs)} monthly cutoffs fit between {first_day} and {last_day}.",
                        "Churn needs at least four months of events with a complete 30-day label window after them.")
    return CutoffPlan(cutoffs[:-3], cutoffs[-3:-2], cutoffs[-2:], last_day + timedelta(days=1))


def data_range(con: duckdb.DuckDBPyConnection) -> tuple[date, date]:
    first, last = con.sql("SELECT min(occurred_at AT TIME ZONE 'America/Mexico_City')::DATE, "
                          "max(occurred_at AT TIME ZONE 'America/Mexico_City')::DATE FROM staging.stg_ats__events").fetchall()[0]
    return first, last


@dataclass(frozen=True)
class FeatureSet:
    """Who is scored and how: the entity, its point-in-time features, and the data's date range."""

    entity: str
    id_column: str
    features: dict[str, str]  # name -> what it means (also the reason text of a score)
    features_at: Callable[[duckdb.DuckDBPyConnection, date], pl.DataFrame]
    data_range: Callable[[duckdb.DuckDBPyConnection], tuple[date, date]]

    @property
    def names(self) -> list[str]:
        return list(self.features)

    def labelled_at(self, con: duckdb.DuckDBPyConnection, cutoff: date, target: Target) -> pl.DataFrame:
        """Features at the cutoff plus `label` (0/1): whether the target's SQL finds the entity in the 30 days after."""
        frame = self.features_at(con, cutoff)
        found = con.sql(target.sql, params={"cutoff": midnight(cutoff)}).pl().to_series(0).implode()
        hit = pl.col(self.id_column).is_in(found)
        return frame.with_columns(label=(hit if target.positive_if_found else ~hit).cast(pl.Int8))


CANDIDATES = FeatureSet("candidate", "candidate_id", FEATURES, features_at, data_range)
