"""Every ratio metric, defined once.

A ratio is never summed: rolling up a week, a BU or a filtered selection means
summing the additive columns of a mart and computing the ratio again. So each ratio
is a SQL expression over additive column names, written here once and used by

* dbt, through ``transforms/macros/metrics.sql`` (generated from this module by
  ``python -m models.metrics``; ``tests/models/test_metric_definitions.py`` fails if
  the generated file is stale),
* the dashboard, reports, exports and API, through ``serving.snapshot`` (which
  aggregates the additive columns of the filtered rows, then applies these formulas),
* ``docs/metrics.md`` (generated from the same definitions).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

#: Money is reported in one currency; ``seeds/fx_rates.csv`` holds the dated rates.
REPORTING_CURRENCY = "MXN"

#: Engagement score: 100 * (1 - exp(-weighted interactions per reached person / k)).
ENGAGEMENT_WEIGHTS = {"clicks": 1, "replies": 3, "applications": 5}
ENGAGEMENT_HALF_SCALE = 0.10

#: Attribution: touches up to this many days before the application count.
ATTRIBUTION_LOOKBACK_DAYS = 30
TIME_DECAY_HALF_LIFE_DAYS = 7
POSITION_BASED_ENDS = 0.4  # first and last touch each; the middle shares the rest

#: An application still open this many days after it was made is stale.
STALE_AFTER_DAYS = 90

#: ROI and ROAS of a selection that spent less than this are not meaningful ("n/m"): a channel that spent 3 MXN of
#: e-mail sends and brought one hire would show a 20,000x return that says nothing about the channel.
ROI_MIN_SPEND_MXN = 5_000

#: Counts under this are suppressed in anything a client receives.
CLIENT_MIN_COUNT = 5


#: A rate read from fewer cases than this (its denominator) is flagged as a small sample wherever it is shown: 7 offers
#: all accepted is "100% (7 offers)", not a fact about the channel.
MIN_RATE_SAMPLE = 30

_SQL_WORDS = {"case", "when", "then", "end", "else", "coalesce", "round", "exp", "nullif", "double"}


@dataclass(frozen=True)
class Metric:
    name: str
    label: str
    sql: str  # over additive columns of the same row (or of summed rows)
    unit: str  # ratio (shown as %) | multiple (shown as 3.2x) | currency | score | days | count
    description: str

    @property
    def inputs(self) -> set[str]:
        """The column names the formula reads."""
        return set(re.findall(r"[a-z_][a-z0-9_]*", self.sql)) - _SQL_WORDS

    @property
    def cases(self) -> str | None:
        """What a rate (``ratio`` unit) is read from, as a SQL expression over counts: its denominator without a
        constant factor (source quality's ``4 * applied`` is read from ``applied``). None for other units and for
        rates of money (a refund rate over gross revenue has no number of cases)."""
        found = re.search(r"NULLIF\(\((.+)\)::DOUBLE, 0\)\)$", self.sql) if self.unit == "ratio" else None
        if found is None or "_mxn" in found.group(1):
            return None
        return re.sub(r"^\d+ \* ", "", found.group(1))


def _div(num: str, den: str) -> str:
    return f"(({num})::DOUBLE / NULLIF(({den})::DOUBLE, 0))"


def _return_on_spend(num: str) -> str:
    """A return on spend, NULL (not meaningful) below the spend floor."""
    return f"CASE WHEN spend_mxn >= {ROI_MIN_SPEND_MXN} THEN {_div(num, 'spend_mxn')} END"


_weighted = " + ".join(f"{w} * coalesce({c}, 0)" for c, w in ENGAGEMENT_WEIGHTS.items())

#: Campaign performance (seed 13.12 and 13.14), over the additive columns of
#: ``marts.fct_campaign_channel_daily`` and ``marts.mart_campaign_summary``.
CAMPAIGN_METRICS: tuple[Metric, ...] = (
    Metric("ctr", "CTR", _div("clicks", "impressions"), "ratio",
           "Clicks / impressions. Messaging channels count a delivered message as an impression and a reply as a click."),
    Metric("conversion_rate", "Conversion rate", _div("applications", "reach"), "ratio",
           "Applications / reach."),  # seed 13.14: Aplicaciones / Alcance
    Metric("qualified_rate", "Qualified rate", _div("qualified_applications", "applications"), "ratio",
           "Share of applications that passed screening."),
    Metric("hire_rate", "Hire rate", _div("hires", "applications"), "ratio", "Hires / applications."),
    Metric("cost_per_application_mxn", "Cost per application", _div("spend_mxn", "applications"), "currency",
           "Spend / applications."),
    Metric("qualified_cost_per_application_mxn", "Qualified cost per application",
           _div("spend_mxn", "qualified_applications"), "currency",
           "Spend / applications that passed screening."),
    Metric("cost_per_hire_mxn", "Cost per hire", _div("spend_mxn", "hires"), "currency", "Spend / hires."),
    Metric("engagement_score", "Engagement score",
           f"CAST(round(CAST(100 * (1 - exp(-{_div(_weighted, 'reach')} / {ENGAGEMENT_HALF_SCALE}e0)) AS DECIMAL(38, 9)), 1) AS DOUBLE)", "score",
           "A 0-100 index of how much the people reached interacted: a click counts 1, a reply 3 and an application "
           "5, per person reached, as 100 x (1 - exp(-interactions per person / 0.10)). 0 means nobody reached "
           "interacted; 0.1 interactions per person scores 63; 950 clicks and 120 applications from 12,000 people "
           "reached score 72."),
    Metric("roi", "ROI", _return_on_spend("attributed_revenue_mxn - spend_mxn"), "multiple",
           "(Attributed revenue - spend) / spend, as a multiple: 2.0x means every peso spent brought back three "
           f"(two of profit). Not meaningful (n/m) when the selection spent under {ROI_MIN_SPEND_MXN:,} MXN."),
    Metric("roas", "ROAS", _return_on_spend("attributed_revenue_mxn"), "multiple",
           f"Attributed revenue / spend, as a multiple. Not meaningful (n/m) under {ROI_MIN_SPEND_MXN:,} MXN of spend."),
)

#: Campaign-level only (a campaign's leads are not split by day or channel).
RETARGETING_METRICS: tuple[Metric, ...] = (
    Metric("retargeting_impact", "Retargeting impact", _div("leads_recovered", "leads_at_retargeting_start"), "ratio",
           "Of the candidates a campaign had touched before its Retargeting phase began who had not applied to it, "
           "the share who applied to it during Retargeting."),  # seed 13.14: % de leads recuperados por retargeting
)

#: Funnel, over ``marts.mart_funnel_cohorts`` (cohort = month of application).
FUNNEL_METRICS: tuple[Metric, ...] = (
    Metric("screen_rate", "Applied → screened", _div("screened", "applied"), "ratio",
           "Share of the cohort's applications that reached screening."),
    Metric("interview_rate", "Screened → interviewed", _div("interviewed", "screened"), "ratio",
           "Share of screened applications that reached an interview."),
    Metric("offer_rate", "Interviewed → offered", _div("offered", "interviewed"), "ratio",
           "Share of interviewed applications that got an offer."),
    Metric("offer_acceptance_rate", "Offer acceptance", _div("hired", "offered - offers_pending"), "ratio",
           "Offers that ended in a hire / offers that were decided (hired or rejected)."),
    Metric("applied_to_hire_rate", "Applied → hired", _div("hired", "applied"), "ratio",
           "Share of the cohort's applications that ended in a hire."),
    Metric("stale_share", "% stale", _div("stale", "applied"), "ratio",
           f"Applications still open {STALE_AFTER_DAYS}+ days after they were made, as a share of applications."),
    Metric("source_quality", "Source quality", _div("stages_reached", "4 * applied"), "ratio",
           "Mean share of the four stages after applying (screened, interviewed, offered, hired) a source's "
           "applications reach: 0 = all rejected at once, 1 = all hired."),
)

#: Engagement, one group per mart.
CHATBOT_METRICS: tuple[Metric, ...] = (
    Metric("fallback_to_human_rate", "Fallback to human", _div("handed_to_human", "conversations"), "ratio",
           "Chatbot conversations handed to a person / conversations that ended."),
    Metric("chat_resolution_rate", "Resolved by the bot", _div("resolved", "conversations"), "ratio",
           "Conversations the bot resolved / conversations that ended."),
    Metric("messages_per_conversation", "Messages per conversation", _div("messages", "conversations"), "count",
           "Messages (candidate, bot and agent) / conversations that ended."),
)
NOTIFICATION_METRICS: tuple[Metric, ...] = (
    Metric("delivery_rate", "Delivery rate", _div("delivered", "sent"), "ratio", "Notifications delivered / sent."),
    Metric("open_rate", "Open rate", _div("opened", "delivered"), "ratio", "Notifications opened / delivered."),
    Metric("click_rate", "Click rate", _div("clicked", "delivered"), "ratio", "Notifications clicked / delivered."),
    Metric("failure_rate", "Failure rate", _div("failed", "sent"), "ratio", "Notifications failed / sent."),
)
REFERRAL_METRICS: tuple[Metric, ...] = (
    Metric("referral_conversion_rate", "Referral conversion", _div("converted", "invited"), "ratio",
           "Referral invitations that became a candidate / invitations."),
)
ASSESSMENT_METRICS: tuple[Metric, ...] = (
    Metric("assessment_completion_rate", "Assessment completion", _div("submitted", "created"), "ratio",
           "Assessments submitted / assessments created."),
    Metric("average_assessment_score", "Average score", _div("score_sum", "scored"), "score",
           "Mean score (0-100) of scored assessments."),
)
RETENTION_METRICS: tuple[Metric, ...] = (
    Metric("retention_rate", "Retention", _div("active_candidates", "cohort_size"), "ratio",
           "Candidates of a signup-month cohort active in a later month / the cohort's size."),
)

#: Revenue, over ``marts.fct_revenue_daily`` and ``marts.mart_mrr_movements``.
REVENUE_METRICS: tuple[Metric, ...] = (
    Metric("refund_rate", "Refund rate", _div("refunds_mxn", "gross_revenue_mxn"), "ratio",
           "Refunded amount / gross revenue of succeeded charges."),
    Metric("charge_failure_rate", "Charge failure rate", _div("failed_charges", "failed_charges + succeeded_charges"), "ratio",
           "Failed charges / charges attempted."),
)
MRR_METRICS: tuple[Metric, ...] = (
    Metric("net_mrr_growth", "Net MRR growth", _div("ending_mrr_mxn - starting_mrr_mxn", "starting_mrr_mxn"), "ratio",
           "(Ending MRR - starting MRR) / starting MRR of the month."),
)

METRIC_GROUPS: dict[str, tuple[Metric, ...]] = {
    "campaign": CAMPAIGN_METRICS,
    "retargeting": RETARGETING_METRICS,
    "funnel": FUNNEL_METRICS,
    "chatbot": CHATBOT_METRICS,
    "notifications": NOTIFICATION_METRICS,
    "referrals": REFERRAL_METRICS,
    "assessments": ASSESSMENT_METRICS,
    "retention": RETENTION_METRICS,
    "revenue": REVENUE_METRICS,
    "mrr": MRR_METRICS,
}
METRICS: dict[str, Metric] = {m.name: m for group in METRIC_GROUPS.values() for m in group}

#: The additive columns of a group's marts: what a dbt model or a reader sums before the group's ratios are computed
#: again. Written only here: the readers (``serving.analytics``) import them, and dbt models get the same lists
#: from the macro ``additive_columns(group)``, generated into ``transforms/macros/metrics.sql`` with the formulas
#: (one generator and one staleness test, ``tests/models/test_metric_definitions.py``, rather than a dbt var or a
#: seed copied from here, which would be a second list needing its own check).
ADDITIVE_COLUMNS: dict[str, tuple[str, ...]] = {
    "campaign": ("reach", "impressions", "clicks", "sends", "deliveries", "reads", "replies", "applications",
                 "qualified_applications", "hires", "spend_mxn", "attributed_revenue_mxn"),
    "funnel": ("applied", "screened", "interviewed", "offered", "hired", "rejected", "open_applications", "stale",
               "offers_pending", "stages_reached"),
}


def select_list(group: str) -> str:
    """``<sql> AS <name>`` for each metric of a group, for a SELECT over its additive columns."""
    return ",\n    ".join(f"{m.sql} AS {m.name}" for m in METRIC_GROUPS[group])


MACRO_FILE = Path(__file__).resolve().parent.parent / "transforms" / "macros" / "metrics.sql"


def render_dbt_macros() -> str:
    """The dbt macros carrying these definitions: ``{{ metrics('campaign') }}`` in a model's SELECT, and
    ``additive_columns('campaign')``, the list of columns a rollup sums."""
    lines = ["{#- Generated by `python -m models.metrics` from models/metrics.py: edit that file, not this one. -#}",
             "{% macro metrics(group) -%}"]
    for i, (group, metrics) in enumerate(METRIC_GROUPS.items()):
        lines.append(("{%- if" if i == 0 else "{%- elif") + f" group == '{group}' %}}")
        lines.append(",\n".join(f"    {m.sql} as {m.name}" for m in metrics))
    lines.append("{%- else %}{{ exceptions.raise_compiler_error('unknown metric group ' ~ group) }}")
    lines.append("{%- endif %}")
    lines.append("{%- endmacro %}")
    lines.append("")
    lines.append("{#- The additive columns of a group's marts (ADDITIVE_COLUMNS): `{% for c in additive_columns('campaign') %}`. -#}")
    lines.append("{% macro additive_columns(group) -%}")
    for i, (group, columns) in enumerate(ADDITIVE_COLUMNS.items()):
        lines.append(("{%- if" if i == 0 else "{%- elif") + f" group == '{group}' %}}")
        lines.append("    {{ return([" + ", ".join(f"'{c}'" for c in columns) + "]) }}")
    lines.append("{%- else %}{{ exceptions.raise_compiler_error('no additive columns for group ' ~ group) }}")
    lines.append("{%- endif %}")
    lines.append("{%- endmacro %}")
    return "\n".join(lines) + "\n"


DOCS_FILE = Path(__file__).resolve().parent.parent / "docs" / "metrics.md"

_GROUP_TITLES = {
    "campaign": ("Campaign performance", "marts.fct_campaign_channel_daily (day x BU x campaign x phase x channel; "
                 "readers sum it to any week, month or grouping), mart_campaign_summary"),
    "retargeting": ("Retargeting", "marts.mart_campaign_summary (per campaign)"),
    "funnel": ("Funnel and pipeline", "marts.mart_funnel_cohorts (cohort month x BU x source channel x campaign)"),
    "chatbot": ("Chatbot", "marts.mart_chatbot_daily"),
    "notifications": ("Notifications", "marts.mart_notifications_monthly"),
    "referrals": ("Referrals", "marts.mart_referrals_monthly, mart_referral_leaderboard"),
    "assessments": ("Assessments", "marts.mart_assessments_monthly"),
    "retention": ("Retention", "marts.mart_cohort_retention"),
    "revenue": ("Revenue", "marts.fct_revenue_daily"),
    "mrr": ("MRR", "marts.mart_mrr_movements"),
}


def render_docs() -> str:
    """docs/metrics.md: every ratio's definition and formula, from the same definitions dbt uses."""
    out = ["# Metric definitions", "",
           "Generated by `python -m models.metrics` from `models/metrics.py`, the one place each ratio is defined "
           "(dbt gets the same formulas through `transforms/macros/metrics.sql`). Ratios are always recomputed from "
           "summed additive columns, never averaged. Money is in " + REPORTING_CURRENCY + " at each day's rate "
           "(`transforms/seeds/fx_rates.csv`).", ""]
    for group, metrics in METRIC_GROUPS.items():
        title, where = _GROUP_TITLES[group]
        out += [f"## {title}", "", f"Over {where}.", "", "| metric | column | definition | formula |", "|---|---|---|---|"]
        out += [f"| {m.label} | `{m.name}` | {m.description} | `{m.sql}` |" for m in metrics]
        out.append("")
    out += ["## Counts and amounts", "",
            "| column | definition |", "|---|---|",
            "| reach | People the campaign reached on a channel that day, as the platform reports it; impressions where a "
            "platform reports no reach (Indeed, Monster); deliveries for WhatsApp, Telegram and e-mail. |",
            "| impressions | Ad impressions; delivered messages for messaging channels. |",
            "| clicks | Clicks; replies for WhatsApp and Telegram; link clicks for e-mail. |",
            "| applications | ATS applications made that day through that campaign and channel. |",
            "| qualified_applications | Those of them that passed screening (reached 'screened'). |",
            "| hires | Those of them that ended in a hire: hires count on the day their candidate applied. |",
            "| spend_mxn | The channel's reported spend converted to MXN at the day's rate. |",
            "| attributed_revenue_mxn | The placement fees of those hires that the clients have paid in Stripe, net of "
            "refunds under the guarantee. A placement fee is a share of the hire's first-year salary, invoiced to the "
            "client when the hire starts (the invoice's metadata names the application); a fee not yet paid counts "
            "nothing yet. Subscriptions and consulting fees are not campaign revenue. |",
            "| leads_at_retargeting_start | Candidates the campaign touched before its Retargeting phase who had not applied "
            "to it by then. |",
            "| leads_recovered | Those of them who applied to it during Retargeting. |",
            "| active candidates | Candidates who did something themselves that day or week: wrote to the chatbot, applied, "
            "submitted an assessment, invited a referral, opened or clicked a notification. |",
            "| MRR | Subscription invoice amounts for periods starting in the month (yearly plans / 12), MXN. Movements: new "
            "(first MRR), reactivation (MRR again after a month without), expansion, contraction, churned (none after some). |",
            "",
            "## Attribution", "",
            f"A conversion is an application, or the hire it led to. Its path is the candidate's campaign touches in the "
            f"{ATTRIBUTION_LOOKBACK_DAYS} days up to the application: campaign notifications delivered, opened or clicked, "
            "and the application itself, deduplicated to one per candidate, campaign and day (the first channel of the day). "
            "Models: first touch, last touch, linear, time decay (weight 0.5^(days before the application / "
            f"{TIME_DECAY_HALF_LIFE_DAYS})), position based ({POSITION_BASED_ENDS:.0%} first, {POSITION_BASED_ENDS:.0%} last, "
            "the rest shared by the middle; 50/50 with two touches). Credits of one conversion sum to 1 under every model "
            "(`transforms/tests/attribution_credits_sum_to_one.sql`).", "",
            "## Alerts", "",
            "Thresholds per metric live in `transforms/seeds/alert_thresholds.csv` (metric, direction, threshold, the "
            "volume a campaign needs before its ratio is judged, severity). `marts.mart_campaign_alerts` lists the "
            "campaigns crossing one over their whole life; the Campaigns page and `huntred alerts` show them.", "",
            "## When a number is not yet a fact", "",
            "- **Maturing periods.** Hires count on the day their candidate applied and fees when they are paid, so a "
            "recent period's hires, attributed revenue and the rates and ROI read from them are still growing. A period "
            "is maturing for an outcome while it ends after the newest day of data minus the days within which 90% of "
            "that outcome arrives (from the data: application to screening, to hire, to the fee paid; "
            "`serving/reliability.py`). Maturing outcomes are marked and left out of period-over-period changes.",
            f"- **Small samples.** A rate read from fewer than {MIN_RATE_SAMPLE} cases (its denominator: impressions, "
            "applications, offers decided, deliveries, ...) is flagged wherever it is shown.",
            f"- **ROI floor.** ROI and ROAS of a selection that spent under {ROI_MIN_SPEND_MXN:,} MXN are *n/m* (not "
            "meaningful).", "",
            "## Client exports", "",
            f"Counts from 1 to {CLIENT_MIN_COUNT - 1} in anything a client receives are blanked, and so is every ratio "
            "computed from a blanked count.", ""]
    return "\n".join(out)


if __name__ == "__main__":
    MACRO_FILE.write_text(render_dbt_macros(), encoding="utf-8")
    DOCS_FILE.write_text(render_docs(), encoding="utf-8")
    print(f"wrote {MACRO_FILE} and {DOCS_FILE}")
