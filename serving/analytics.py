"""Read queries over the marts of the serving snapshot: what the dashboard, reports, exports and API show.

Two things travel with every query:

* ``Scope`` — who is asking. A BU manager's scope is their BU, a client's is their
  tenant. The scope is a condition in the SQL of every query (never a filter applied
  to rows already read), so numbers outside it are never fetched.
* ``Filters`` — what they chose to look at (BU, campaign, channel, phase, dates).

Ratios are never averaged: each query sums the additive columns of the filtered rows
and applies the formulas of ``models.metrics`` to the sums.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

import polars as pl

from access.pii import pseudonym_sql
from access.policy import Scope
from foundation.errors import NotFound, UserError
from models.metrics import ADDITIVE_COLUMNS, select_list
from serving.snapshot import Snapshot, fetch_dicts, snapshot_cached

#: the columns each query sums before applying the formulas (defined once, in models.metrics, with dbt's rollups)
CAMPAIGN_ADDITIVE = ADDITIVE_COLUMNS["campaign"]
FUNNEL_ADDITIVE = ADDITIVE_COLUMNS["funnel"]


@dataclass(frozen=True)
class Filters:
    business_units: tuple[str, ...] = ()
    campaigns: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    phases: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None

    def previous_period(self) -> "Filters | None":
        """The period of the same length just before this one (for period-over-period change)."""
        if self.date_from is None or self.date_to is None:
            return None
        days = (self.date_to - self.date_from).days + 1
        return replace(self, date_from=self.date_from - timedelta(days=days), date_to=self.date_from - timedelta(days=1))


@dataclass
class Where:
    """A WHERE clause and its parameters, built from a scope and filters for one table's column names."""

    clauses: list[str] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)

    def add(self, clause: str, **params: Any) -> "Where":
        self.clauses.append(clause)
        self.params.update(params)
        return self

    @property
    def sql(self) -> str:
        return "WHERE " + " AND ".join(self.clauses) if self.clauses else ""


def where(scope: Scope, filters: Filters | None = None, *, date_column: str | None = None,
          bu_column: str = "business_unit", client_column: str | None = "client_id",
          campaign_column: str | None = None, channel_column: str | None = None,
          phase_column: str | None = None) -> Where:
    """Scope first (always), then whichever filters this table has columns for."""
    w = Where()
    if scope.business_unit is not None:
        w.add(f"{bu_column} = $scope_bu", scope_bu=scope.business_unit)
    if scope.client_id is not None:
        if client_column is None:
            # a table without a client column holds no client's rows: a client sees nothing of it
            w.add("false")
        else:
            w.add(f"{client_column} = $scope_client", scope_client=scope.client_id)
    f = filters or Filters()
    if f.business_units:
        w.add(f"{bu_column} IN (SELECT unnest($bus))", bus=list(f.business_units))
    if f.campaigns and campaign_column:
        w.add(f"{campaign_column} IN (SELECT unnest($campaigns))", campaigns=list(f.campaigns))
    if f.channels and channel_column:
        w.add(f"{channel_column} IN (SELECT unnest($channels))", channels=list(f.channels))
    if f.phases and phase_column:
        w.add(f"{phase_column} IN (SELECT unnest($phases))", phases=list(f.phases))
    if date_column and f.date_from:
        w.add(f"{date_column} >= $date_from", date_from=f.date_from)
    if date_column and f.date_to:
        w.add(f"{date_column} <= $date_to", date_to=f.date_to)
    return w


def _query(snap: Snapshot, sql: str, w: Where) -> pl.DataFrame:
    return snap.cursor().sql(sql, params=w.params or None).pl()


def _rows(snap: Snapshot, sql: str, w: Where) -> list[dict]:
    return fetch_dicts(snap, sql, w.params)


def _campaign_where(scope: Scope, filters: Filters | None) -> Where:
    return where(scope, filters, date_column="metric_date", campaign_column="campaign_id", channel_column="channel",
                 phase_column="phase")


def _sums(columns: tuple[str, ...]) -> str:
    # DuckDB sums integers into HUGEINT; counts come back as BIGINT and money as DOUBLE
    def kind(c: str) -> str:
        return "DOUBLE" if c.endswith("_mxn") or c in ("reward_value", "score_sum") else "BIGINT"
    return ", ".join(f"coalesce(sum({c}), 0)::{kind(c)} AS {c}" for c in columns)


def _grouped(snap: Snapshot, table: str, w: Where, by: list[str], additive: tuple[str, ...], group: str,
             order: str | None = None) -> pl.DataFrame:
    keys = ", ".join(by)
    sql = (f"WITH sums AS (SELECT {keys + ', ' if by else ''}{_sums(additive)} FROM {table} {w.sql}"
           f"{' GROUP BY ' + keys if by else ''}) SELECT *, {select_list(group)} FROM sums"
           f"{' ORDER BY ' + (order or keys) if (order or by) else ''}")
    return _query(snap, sql, w)


# -- dimensions ---------------------------------------------------------------------------------------------------
def campaigns(snap: Snapshot, scope: Scope, business_units: tuple[str, ...] = ()) -> pl.DataFrame:
    w = where(scope, Filters(business_units=business_units))
    return _query(snap, "SELECT campaign_id, campaign_name, business_unit, client_id, start_date, end_date "
                        f"FROM marts.dim_campaigns {w.sql} ORDER BY start_date, campaign_id", w)


def data_range(snap: Snapshot) -> tuple[date, date]:
    (lo, hi), = snap.cursor().sql("SELECT min(metric_date), max(metric_date) FROM marts.fct_campaign_channel_daily").fetchall()
    if lo is None:
        raise UserError("The snapshot has no campaign data.", "Run the pipeline on landed data (`huntred run`).")
    return lo, hi


def days_covered(snap: Snapshot) -> tuple[date, date]:
    """The first and last day of any campaign or payment data: what "the whole period" means in an export."""
    lo, hi = data_range(snap)
    (rlo, rhi), = snap.cursor().sql("SELECT min(revenue_date), max(revenue_date) FROM marts.fct_revenue_daily").fetchall()
    return min(lo, rlo or lo), max(hi, rhi or hi)


def campaign_coverage(snap: Snapshot, scope: Scope, filters: Filters) -> dict[str, Any]:
    """The first and last day of campaign data in the scope and the filters' business units (whatever their period),
    and how many of its rows fall in the filters' period: what a report can say when that period has none."""
    w = _campaign_where(scope, replace(filters, date_from=None, date_to=None))
    period = [f"metric_date {op} ${name}" for op, name, d in ((">=", "p_from", filters.date_from),
                                                              ("<=", "p_to", filters.date_to)) if d is not None]
    w.params.update({k: d for k, d in (("p_from", filters.date_from), ("p_to", filters.date_to)) if d is not None})
    in_period = f"count(*) FILTER (WHERE {' AND '.join(period)})" if period else "count(*)"
    return _rows(snap, f"SELECT min(metric_date) AS first_day, max(metric_date) AS last_day, {in_period} AS rows_in_period "
                       f"FROM marts.fct_campaign_channel_daily {w.sql}", w)[0]


def solutions_clients(snap: Snapshot, scope: Scope) -> pl.DataFrame:
    """Clients of huntRED Solutions (what a consulting export can cover), those with the most campaigns first, so the
    first is the one whose export shows the most."""
    w = where(scope, None).add("business_unit = 'huntred_solutions'").add("client_id IS NOT NULL")
    return _query(snap, f"""SELECT client_id, client_name,
            (SELECT count(*) FROM marts.dim_campaigns k WHERE k.client_id = c.client_id) AS campaigns
        FROM marts.dim_clients c {w.sql} ORDER BY campaigns DESC, client_id""", w)


# -- campaign performance --------------------------------------------------------------------------------------------
def campaign_kpis(snap: Snapshot, scope: Scope, filters: Filters) -> dict[str, Any]:
    """Totals and ratios of the selection, and of the period just before it (for the change)."""
    current = _grouped(snap, "marts.fct_campaign_channel_daily", _campaign_where(scope, filters), [], CAMPAIGN_ADDITIVE,
                       "campaign").row(0, named=True)
    prev_filters = filters.previous_period()
    previous = (_grouped(snap, "marts.fct_campaign_channel_daily", _campaign_where(scope, prev_filters), [],
                         CAMPAIGN_ADDITIVE, "campaign").row(0, named=True) if prev_filters else None)
    return {"current": current, "previous": previous}


def campaign_performance(snap: Snapshot, scope: Scope, filters: Filters, by: list[str]) -> pl.DataFrame:
    """Campaign metrics grouped by any of metric_date, metric_week, metric_month, business_unit, campaign_id, phase, channel."""
    allowed = {"metric_date", "metric_week", "metric_month", "business_unit", "campaign_id", "phase", "channel", "client_id"}
    if not set(by) <= allowed:
        raise ValueError(f"cannot group campaign performance by {set(by) - allowed}")
    return _grouped(snap, "marts.fct_campaign_channel_daily", _campaign_where(scope, filters), by, CAMPAIGN_ADDITIVE,
                    "campaign")


def campaign_summary(snap: Snapshot, scope: Scope, filters: Filters) -> pl.DataFrame:
    """One row per campaign (lifetime), with retargeting impact; the date filter keeps campaigns active in the period."""
    w = where(scope, filters, campaign_column="campaign_id")
    if filters.date_from:
        w.add("coalesce(last_activity_date, end_date) >= $date_from", date_from=filters.date_from)
    if filters.date_to:
        w.add("coalesce(first_activity_date, start_date) <= $date_to", date_to=filters.date_to)
    return _query(snap, f"SELECT * FROM marts.mart_campaign_summary {w.sql} ORDER BY start_date, campaign_id", w)


def retargeting_impact(snap: Snapshot, scope: Scope, filters: Filters) -> dict[str, Any]:
    s = campaign_summary(snap, scope, filters)
    leads, recovered = int(s["leads_at_retargeting_start"].sum() or 0), int(s["leads_recovered"].sum() or 0)
    return {"leads_at_retargeting_start": leads, "leads_recovered": recovered,
            "retargeting_impact": recovered / leads if leads else None}


def phase_timeline(snap: Snapshot, scope: Scope, filters: Filters) -> pl.DataFrame:
    w = where(scope, filters, campaign_column="campaign_id", phase_column="phase")
    if filters.date_from:
        w.add("end_date >= $date_from", date_from=filters.date_from)
    if filters.date_to:
        w.add("start_date <= $date_to", date_to=filters.date_to)
    return _query(snap, f"""
        SELECT campaign_id, campaign_name, business_unit, phase, phase_name, phase_order, start_date, end_date
        FROM marts.dim_campaign_phases
        {w.sql} ORDER BY campaign_start_date, campaign_id, phase_order""", w)


def alerts(snap: Snapshot, scope: Scope, filters: Filters | None = None) -> pl.DataFrame:
    w = where(scope, filters, campaign_column="campaign_id")
    return _query(snap, f"SELECT * FROM marts.mart_campaign_alerts {w.sql} "
                        "ORDER BY severity = 'critical' DESC, business_unit, campaign_id, metric", w)


# -- attribution ------------------------------------------------------------------------------------------------------
ATTRIBUTION_MODELS = ("last_touch", "first_touch", "linear", "time_decay", "position_based")


def attribution(snap: Snapshot, scope: Scope, filters: Filters, models: tuple[str, ...] = ATTRIBUTION_MODELS) -> pl.DataFrame:
    """Credited applications, hires and revenue per campaign under each model (touch channel filter applies)."""
    w = where(scope, filters, date_column="conversion_month", campaign_column="campaign_id",
              channel_column="touch_channel")
    w.add("attribution_model IN (SELECT unnest($models))", models=list(models))
    if filters.date_from:  # month grain: keep months that overlap the period
        w.params["date_from"] = filters.date_from.replace(day=1)
    return _query(snap, f"""
        SELECT campaign_id, any_value(campaign_name) AS campaign_name, attribution_model,
               round(sum(credited_conversions) FILTER (WHERE conversion_type = 'application'), 2) AS credited_applications,
               round(sum(credited_conversions) FILTER (WHERE conversion_type = 'hire'), 2) AS credited_hires,
               round(sum(credited_revenue_mxn), 2) AS credited_revenue_mxn
        FROM marts.mart_attribution_by_campaign
        {w.sql}
        GROUP BY campaign_id, attribution_model ORDER BY campaign_id, attribution_model""", w)


# -- funnel -----------------------------------------------------------------------------------------------------------
def _funnel_where(scope: Scope, filters: Filters) -> Where:
    w = where(scope, filters, date_column="cohort_month", campaign_column="campaign_id", channel_column="source_channel")
    if filters.date_from:
        w.params["date_from"] = filters.date_from.replace(day=1)
    return w


def funnel(snap: Snapshot, scope: Scope, filters: Filters, by: list[str]) -> pl.DataFrame:
    allowed = {"cohort_month", "business_unit", "source_channel", "campaign_id"}
    if not set(by) <= allowed:
        raise ValueError(f"cannot group the funnel by {set(by) - allowed}")
    return _grouped(snap, "marts.mart_funnel_cohorts", _funnel_where(scope, filters), by, FUNNEL_ADDITIVE, "funnel")


#: mart_funnel_cohorts names an application made without a campaign (an organic one) by this campaign id.
ORGANIC = "organic"


def funnel_by_origin(snap: Snapshot, scope: Scope, filters: Filters) -> pl.DataFrame:
    """The funnel of applications made through a campaign and of organic ones (``origin``: campaign | organic).

    The Campaigns page counts only the first (its rows are campaign days); the Pipeline page counts both, so it
    shows them apart. A campaign filter leaves only campaign applications."""
    w = _funnel_where(scope, filters)
    table = (f"(SELECT *, CASE WHEN campaign_id = '{ORGANIC}' THEN 'organic' ELSE 'campaign' END AS origin "
             "FROM marts.mart_funnel_cohorts)")
    return _grouped(snap, table, w, ["origin"], FUNNEL_ADDITIVE, "funnel")


def funnel_by_campaign(snap: Snapshot, scope: Scope, filters: Filters) -> pl.DataFrame:
    """The funnel per campaign with the campaign's name (organic applications: one row, no name)."""
    names = campaigns(snap, scope).select("campaign_id", "campaign_name")
    return funnel(snap, scope, filters, ["campaign_id"]).join(names, on="campaign_id", how="left")


def stage_durations(snap: Snapshot, scope: Scope, filters: Filters) -> pl.DataFrame:
    """Median and p90 days per completed stage over the selection (percentiles of the rows, not of summaries)."""
    w = _funnel_where(scope, filters)  # the same rows as the funnel: cohort month, campaign, source channel
    return _query(snap, f"""
        SELECT stage, count(*) AS completed,
               round(quantile_cont(days_in_stage, 0.5), 1) AS median_days,
               round(quantile_cont(days_in_stage, 0.9), 1) AS p90_days
        FROM marts.fct_stage_durations
        {w.sql}
        GROUP BY stage
        ORDER BY list_position(['applied', 'screened', 'interviewed', 'offered', 'time_to_hire'], stage)""", w)


# -- engagement -------------------------------------------------------------------------------------------------------
def _bu_only(scope: Scope, filters: Filters, date_column: str | None) -> Where:
    # engagement marts are per BU (a candidate is not a client's): a client's scope sees none of them
    return where(scope, filters, date_column=date_column, client_column=None)


def active_candidates(snap: Snapshot, scope: Scope, filters: Filters, grain: str = "day") -> pl.DataFrame:
    table, column = (("marts.mart_active_candidates_daily", "activity_date") if grain == "day"
                     else ("marts.mart_active_candidates_weekly", "activity_week"))
    w = _bu_only(scope, filters, column)
    return _query(snap, f"SELECT {column} AS period, sum(active_candidates)::BIGINT AS active_candidates FROM {table} {w.sql} "
                        "GROUP BY 1 ORDER BY 1", w)


def chatbot(snap: Snapshot, scope: Scope, filters: Filters, by: list[str]) -> pl.DataFrame:
    w = _bu_only(scope, filters, "activity_date")
    return _grouped(snap, "marts.mart_chatbot_daily", w, by,
                    ("conversations", "messages", "resolved", "handed_to_human", "abandoned"), "chatbot")


def chat_intents(snap: Snapshot, scope: Scope, filters: Filters) -> pl.DataFrame:
    w = _bu_only(scope, _month_floor(filters), "activity_month")
    return _query(snap, f"""SELECT intent, sum(messages)::BIGINT AS messages,
        round(sum(messages * mean_intent_score) / sum(messages), 3) AS mean_intent_score
        FROM marts.mart_chatbot_intents_monthly {w.sql} GROUP BY intent ORDER BY messages DESC""", w)


def notifications(snap: Snapshot, scope: Scope, filters: Filters, by: list[str]) -> pl.DataFrame:
    w = _bu_only(scope, _month_floor(filters), "activity_month")
    return _grouped(snap, "marts.mart_notifications_monthly", w, by, ("sent", "delivered", "opened", "clicked", "failed"),
                    "notifications")


def gamification(snap: Snapshot, scope: Scope, filters: Filters) -> pl.DataFrame:
    w = _bu_only(scope, _month_floor(filters), "activity_month")
    return _query(snap, f"""SELECT activity_month, sum(points_awarded)::BIGINT AS points_awarded,
        sum(candidates_awarded)::BIGINT AS candidates_awarded, sum(achievements_unlocked)::BIGINT AS achievements_unlocked,
        sum(levels_reached)::BIGINT AS levels_reached
        FROM marts.mart_gamification_monthly {w.sql} GROUP BY 1 ORDER BY 1""", w)


def referrals(snap: Snapshot, scope: Scope, filters: Filters) -> pl.DataFrame:
    w = _bu_only(scope, _month_floor(filters), "activity_month")
    return _grouped(snap, "marts.mart_referrals_monthly", w, ["activity_month"], ("invited", "converted", "reward_value"),
                    "referrals")


def referral_leaderboard(snap: Snapshot, scope: Scope, filters: Filters, limit: int = 10) -> pl.DataFrame:
    w = _bu_only(scope, Filters(business_units=filters.business_units), None)
    w.params["limit"] = limit
    return _query(snap, f"""SELECT referrer_id, business_unit, invited, converted, reward_value, referral_conversion_rate
        FROM marts.mart_referral_leaderboard {w.sql} ORDER BY converted DESC, invited DESC, referrer_id LIMIT $limit""", w)


def assessments(snap: Snapshot, scope: Scope, filters: Filters) -> pl.DataFrame:
    w = _bu_only(scope, _month_floor(filters), "activity_month")
    return _grouped(snap, "marts.mart_assessments_monthly", w, ["assessment_type"],
                    ("created", "submitted", "scored", "score_sum"), "assessments")


def retention(snap: Snapshot, scope: Scope, filters: Filters) -> pl.DataFrame:
    w = _bu_only(scope, _month_floor(filters), "cohort_month")
    return _query(snap, f"""WITH cells AS (
            SELECT cohort_month, months_since_signup, sum(active_candidates)::BIGINT AS active_candidates,
                   sum(cohort_size)::BIGINT AS cohort_size
            FROM marts.mart_cohort_retention {w.sql} GROUP BY 1, 2)
        SELECT *, {select_list('retention')} FROM cells ORDER BY 1, 2""", w)


# -- revenue ----------------------------------------------------------------------------------------------------------
def revenue(snap: Snapshot, scope: Scope, filters: Filters, by: list[str]) -> pl.DataFrame:
    """Money received (succeeded charges net of refunds), by any of day, month, BU, client, customer, revenue stream."""
    allowed = {"revenue_date", "revenue_month", "business_unit", "client_id", "customer_id", "revenue_stream"}
    if not set(by) <= allowed:
        raise ValueError(f"cannot group revenue by {set(by) - allowed}")
    w = where(scope, filters, date_column="revenue_date")
    return _grouped(snap, "marts.fct_revenue_daily", w, by,
                    ("gross_revenue_mxn", "refunds_mxn", "net_revenue_mxn", "succeeded_charges", "failed_charges",
                     "failed_amount_mxn"), "revenue")


#: A placement as a client or BU manager sees it: no candidate, only the vacancy, the dates and the money.
PLACEMENT_COLUMNS = ("invoice_number", "vacancy_title", "campaign_id", "hired_date", "placement_start_date", "invoice_date",
                     "invoice_status", "invoiced_mxn", "paid_mxn", "refunded_mxn", "net_paid_mxn", "paid_date",
                     "guarantee_outcome")


def placements(snap: Snapshot, scope: Scope, filters: Filters) -> pl.DataFrame:
    """The placement fees invoiced in the period (invoice date), newest first, with what was paid and refunded."""
    w = where(scope, filters, date_column="invoice_date", campaign_column="campaign_id")
    return _query(snap, f"SELECT {', '.join(PLACEMENT_COLUMNS)}, business_unit, client_id, client_name "
                        f"FROM marts.fct_placements {w.sql} ORDER BY invoice_date DESC, invoice_number", w)


MRR_ADDITIVE = ("starting_mrr_mxn", "new_mrr_mxn", "expansion_mrr_mxn", "reactivation_mrr_mxn", "contraction_mrr_mxn",
                "churned_mrr_mxn", "ending_mrr_mxn", "paying_customers", "churned_customers")


def mrr_movements(snap: Snapshot, scope: Scope, filters: Filters) -> pl.DataFrame:
    """The MRR bridge per month (the mart's rows are per client, so a client's scope reads only its own)."""
    w = where(scope, _month_floor(filters), date_column="mrr_month")
    return _grouped(snap, "marts.mart_mrr_movements", w, ["mrr_month"], MRR_ADDITIVE, "mrr")


def reconciliation(snap: Snapshot, scope: Scope, filters: Filters) -> pl.DataFrame:
    w = where(scope, filters, date_column="invoice_date")
    return _query(snap, f"""SELECT reconciliation_status, count(*) AS invoices, sum(amount_paid) AS amount_paid,
        sum(amount_charged) AS amount_charged, sum(difference) AS difference
        FROM marts.mart_revenue_reconciliation {w.sql} GROUP BY 1 ORDER BY invoices DESC""", w)


def _month_floor(filters: Filters) -> Filters:
    """Monthly marts: a period starting mid-month includes that month."""
    return replace(filters, date_from=filters.date_from.replace(day=1)) if filters.date_from else filters


# -- model scores (marts over the ml schema) -----------------------------------------------------------------------
def churn_risk(snap: Snapshot, scope: Scope, filters: Filters) -> pl.DataFrame:
    """Per BU: candidates scored, expected churners in the next 30 days and the high-risk share (champion model)."""
    w = _bu_only(scope, filters, None)
    return _query(snap, "SELECT business_unit, sum(scored_candidates)::BIGINT AS scored_candidates, "
                        "sum(expected_churners) AS expected_churners, sum(high_risk_candidates)::BIGINT AS high_risk_candidates, "
                        "sum(high_risk_candidates) / sum(scored_candidates) AS high_risk_share, "
                        "sum(expected_churners) / sum(scored_candidates) AS mean_churn_probability, "
                        "any_value(churn_model_version) AS churn_model_version, max(scored_for_cutoff) AS scored_for_cutoff "
                        f"FROM marts.mart_churn_risk_by_bu {w.sql} GROUP BY 1 ORDER BY expected_churners DESC", w)


def at_risk_candidates(snap: Snapshot, scope: Scope, filters: Filters, limit: int = 20) -> pl.DataFrame:
    """The candidates most likely to go inactive, with the reasons the model gives and their propensity to apply."""
    w = _bu_only(scope, filters, None)
    return _query(snap, "SELECT candidate_id, business_unit, churn_probability, risk_decile, propensity_apply, "
                        "propensity_retargeting_response, churn_reasons FROM marts.mart_candidate_scores "
                        f"{w.sql} ORDER BY churn_probability DESC, candidate_id LIMIT {int(limit)}", w)


# -- API shapes: campaigns (seed 13.12), engagement, chatbot, payments --------------------------------------------
# status (scheduled, active, finished) is decided in dbt (marts.dim_campaigns, carried by mart_campaign_summary)
_CAMPAIGN_COLUMNS = """campaign_id AS id, campaign_name AS name, business_unit, client_id, objective, start_date, end_date,
    budget_mxn, status, reach::BIGINT AS reach, clicks::BIGINT AS clicks,
    applications::BIGINT AS applications, hires::BIGINT AS hires, spend_mxn, conversion_rate, engagement_score, roi,
    retargeting_impact"""


def campaign_page(snap: Snapshot, scope: Scope, filters: Filters, *, status: str | None = None, search: str | None = None,
                  limit: int = 50, offset: int = 0) -> tuple[list[dict], int]:
    """A page of campaigns (lifetime figures) in scope, newest first, and how many match in all."""
    w = where(scope, filters, campaign_column="campaign_id")
    if filters.date_from:
        w.add("end_date >= $date_from", date_from=filters.date_from)
    if filters.date_to:
        w.add("start_date <= $date_to", date_to=filters.date_to)
    if status:
        w.add("status = $status", status=status)
    if search:
        w.add("campaign_name ILIKE '%' || $search || '%' ESCAPE '\\'", search=search.replace("\\", "\\\\")
              .replace("%", "\\%").replace("_", "\\_"))
    return _page(snap, _CAMPAIGN_COLUMNS, f"FROM marts.mart_campaign_summary {w.sql}", "start_date DESC, campaign_id", w,
                 limit=limit, offset=offset)


@snapshot_cached
def campaign_detail(snap: Snapshot, scope: Scope, campaign_id: str) -> dict:
    """One campaign in scope; out of scope reads as not found (its existence is not revealed)."""
    w = where(scope, None).add("campaign_id = $campaign_id", campaign_id=campaign_id)
    rows = _rows(snap, f"SELECT {_CAMPAIGN_COLUMNS} FROM marts.mart_campaign_summary {w.sql}", w)
    if not rows:
        raise NotFound(f"There is no campaign '{campaign_id}' you can see.", "GET /api/publish/campaigns/ lists them.")
    return rows[0]


@snapshot_cached
def campaign_metrics(snap: Snapshot, scope: Scope, campaign_id: str, filters: Filters) -> dict:
    """The seed's 13.12 payload for one campaign over the period (all of its life by default).

    The default question (its whole life, every channel) is precomputed by dbt (``mart_campaign_lifetime_metrics``)
    and read by key (no sums on the request path; README: about half a cached answer's throughput). A period or a filter is one
    query: the totals and each channel's sums from the same rows (GROUPING SETS), the ratios recomputed on each set
    of sums. Either way the campaign's scope check rides along.
    """
    # the lifetime figure is read within the scope too: another scope's campaign row is never read, even to be dropped
    seen = where(scope, None).add("campaign_id = $campaign_id", campaign_id=campaign_id)
    if filters == Filters():
        rows = _rows(snap, f"""SELECT *, lifetime_retargeting_impact AS lifetime_retargeting
                               FROM marts.mart_campaign_lifetime_metrics {seen.sql} ORDER BY is_total DESC, channel""", seen)
    else:
        rows = _computed_campaign_metrics(snap, scope, campaign_id, filters, seen)
    if not rows or (len(rows) == 1 and rows[0]["reach"] == 0):
        campaign_detail(snap, scope, campaign_id)  # not found (or out of scope) says so; else a period without activity
    totals = next(r for r in rows if r["is_total"])
    by_channel = {r["channel"]: {k: r[k] for k in ("reach", "impressions", "clicks", "applications", "hires", "spend_mxn",
                                                   "conversion_rate", "engagement_score")}
                  for r in rows if not r["is_total"]}
    return {"campaign_id": campaign_id, "date_from": filters.date_from, "date_to": filters.date_to,
            **{k: totals[k] for k in ("reach", "clicks", "applications", "conversion_rate", "engagement_score", "hires",
                                      "spend_mxn", "attributed_revenue_mxn", "roi")},
            "retargeting_impact": totals["lifetime_retargeting"], "by_channel": by_channel}


def _computed_campaign_metrics(snap: Snapshot, scope: Scope, campaign_id: str, filters: Filters, seen: Where) -> list[dict]:
    """The total row first, then one per channel, summed from the daily fact for this period and these filters."""
    w = _campaign_where(scope, replace(filters, campaigns=(campaign_id,)))
    w.params.update(seen.params)
    return _rows(snap, f"""
        WITH sums AS (
            SELECT channel, grouping(channel) AS is_total, {_sums(CAMPAIGN_ADDITIVE)}
            FROM marts.fct_campaign_channel_daily {w.sql}
            GROUP BY GROUPING SETS ((), (channel)))
        SELECT *, {select_list('campaign')},
               (SELECT retargeting_impact FROM marts.mart_campaign_summary {seen.sql}) AS lifetime_retargeting
        FROM sums ORDER BY is_total DESC, channel""", w)


def engagement_report(snap: Snapshot, scope: Scope, filters: Filters) -> list[dict]:
    """Per month: active candidates (from the signup cohorts: each candidate is in one), gamification and referrals."""
    f = _month_floor(filters)
    active_w = _bu_only(scope, f, "month")
    active = _query(snap, f"""SELECT * FROM (
            SELECT (cohort_month + to_months(months_since_signup))::DATE AS month, business_unit, active_candidates
            FROM marts.mart_cohort_retention) {active_w.sql}""", active_w) \
        .group_by("month").agg(pl.col("active_candidates").sum().cast(pl.Int64))
    gam = gamification(snap, scope, filters).rename({"activity_month": "month"})
    ref = referrals(snap, scope, filters).select(
        month="activity_month", referrals_invited="invited", referrals_converted="converted",
        referral_conversion_rate="referral_conversion_rate")
    months = (active.join(gam, on="month", how="full", coalesce=True).join(ref, on="month", how="full", coalesce=True)
              .sort("month"))
    counts = [c for c in months.columns if c not in ("month", "referral_conversion_rate")]
    return months.with_columns(pl.col(counts).fill_null(0).cast(pl.Int64)).to_dicts()


def chatbot_analytics(snap: Snapshot, scope: Scope, filters: Filters) -> dict:
    totals = chatbot(snap, scope, filters, []).row(0, named=True)
    channels = chatbot(snap, scope, filters, ["channel"])
    return {"date_from": filters.date_from, "date_to": filters.date_to, "totals": totals,
            "by_channel": {r.pop("channel"): r for r in channels.iter_rows(named=True)},
            "intents": chat_intents(snap, scope, filters).to_dicts()}


def _page(snap: Snapshot, select: str, base: str, order: str, w: Where, *, limit: int, offset: int,
          extra: dict | None = None) -> tuple[list[dict], int]:
    """One page of ``SELECT {select} {base}`` and the count of all its rows (the scope is in ``base``'s WHERE)."""
    cur = snap.cursor()
    (total,), = cur.sql(f"SELECT count(*) {base}", params=w.params or None).fetchall()
    rows = cur.sql(f"SELECT {select} {base} ORDER BY {order} LIMIT $limit OFFSET $offset",
                   params={**w.params, **(extra or {}), "limit": limit, "offset": offset}).pl()
    return rows.to_dicts(), total


def transactions(snap: Snapshot, scope: Scope, filters: Filters, *, status: str | None, reveal_pii: bool, pii_key: str,
                 limit: int = 50, offset: int = 0) -> tuple[list[dict], int]:
    """Stripe charges in scope (newest first), in their currency and in MXN; emails pseudonymized unless revealed."""

    w = where(scope, filters, date_column="charge_date")
    if status:
        w.add("status = $status", status=status)
    return _page(snap, f"""charge_id, customer_id, customer_name, {pseudonym_sql('p.email', 'email', 'customer_email')},
                           invoice_id, business_unit, client_id, status, currency, amount, amount_mxn,
                           refunded_mxn, failure_code, charge_date""",
                 f"FROM marts.fct_charges LEFT JOIN people.customer_contacts p USING (customer_id) {w.sql}",
                 "charge_date DESC, charge_id", w, limit=limit, offset=offset,
                 extra={"reveal_pii": reveal_pii, "pii_key": pii_key})


def invoices(snap: Snapshot, scope: Scope, filters: Filters, *, status: str | None, reveal_pii: bool, pii_key: str,
             limit: int = 50, offset: int = 0) -> tuple[list[dict], int]:
    """Stripe invoices in scope (newest first); amounts in the invoice's currency, major units."""

    w = where(scope, filters, date_column="created_at::DATE")
    if status:
        w.add("status = $status", status=status)
    return _page(snap, f"""invoice_id, invoice_number, customer_id, customer_name,
                           {pseudonym_sql('p.email', 'email', 'customer_email')}, business_unit, client_id,
                           subscription_id, status, billing_reason, currency, amount_due, amount_paid,
                           period_start, period_end, created_at""",
                 f"FROM marts.fct_invoices LEFT JOIN people.customer_contacts p USING (customer_id) {w.sql}",
                 "created_at DESC, invoice_id", w, limit=limit, offset=offset,
                 extra={"reveal_pii": reveal_pii, "pii_key": pii_key})
