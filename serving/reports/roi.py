"""The ROI report of a business unit for a period: one set of numbers, rendered to the page, PDF and Excel.

``build_roi_report`` runs the queries (scope enforced in SQL); ``roi_pdf`` and
``roi_xlsx`` only lay out what it returned, so the page, the PDF and the workbook can
never disagree.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

import polars as pl

from access import policy
from foundation.errors import BadRequest, Forbidden
from models import labels
from models.enums import BusinessUnit
from models.metrics import METRICS, REPORTING_CURRENCY, ROI_MIN_SPEND_MXN
from serving import analytics as an
from serving import reliability
from serving.reports import layout
from serving.reports.layout import frames_to_xlsx, new_pdf  # noqa: F401 - shared helpers, also imported from here
from serving.snapshot import Snapshot

SUMMARY_METRICS = ("spend_mxn", "attributed_revenue_mxn", "reach", "clicks", "applications", "qualified_applications",
                   "hires", "ctr", "conversion_rate", "cost_per_application_mxn", "qualified_cost_per_application_mxn",
                   "cost_per_hire_mxn", "engagement_score", "roi", "roas")
PERFORMANCE_COLUMNS = ["spend_mxn", "attributed_revenue_mxn", "reach", "clicks", "applications", "qualified_applications",
                       "hires", "conversion_rate", "cost_per_application_mxn", "cost_per_hire_mxn", "roi", "roas"]


def unit_name(business_unit: str | None) -> str:
    return labels.BUSINESS_UNIT_LABELS[BusinessUnit(business_unit).value] if business_unit else "All business units"


def report_title(business_unit: str | None, date_from: date, date_to: date) -> str:
    return f"ROI report · {unit_name(business_unit)} · {date_from:%Y-%m-%d} to {date_to:%Y-%m-%d}"


@dataclass
class RoiReport:
    business_unit: str | None
    date_from: date
    date_to: date
    run_id: str
    generated_at: datetime
    summary: pl.DataFrame  # metric, label, value, previous, change
    tables: dict[str, pl.DataFrame] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # what the reader must know to read the numbers (maturity)

    @property
    def title(self) -> str:
        return report_title(self.business_unit, self.date_from, self.date_to)

    @property
    def who(self) -> str:
        return unit_name(self.business_unit)

    @property
    def file_stem(self) -> str:
        return f"roi_{self.business_unit or 'all'}_{self.date_from:%Y%m%d}_{self.date_to:%Y%m%d}"

    def value(self, metric: str):
        return self.summary.filter(pl.col("metric") == metric)["value"][0]


def build_roi_report(snap: Snapshot, scope: policy.Scope, business_unit: str | None, date_from: date, date_to: date) -> RoiReport:
    if date_from > date_to:
        raise BadRequest(f"The period starts ({date_from}) after it ends ({date_to}).", "Swap the dates.")
    if business_unit is not None and business_unit not in {b.value for b in BusinessUnit}:
        raise BadRequest(f"'{business_unit}' is not a business unit.", f"Use one of: {', '.join(b.value for b in BusinessUnit)}.")
    if scope.business_unit is not None and business_unit not in (None, scope.business_unit):
        raise Forbidden("You can only report on your own business unit.", f"Ask for {scope.business_unit}.")
    if scope.client_id is not None:
        raise Forbidden("ROI reports are for business units.", "Use the consulting export for your data.")
    filters = an.Filters(business_units=(business_unit,) if business_unit else (), date_from=date_from, date_to=date_to)
    refuse_an_empty_period(an.campaign_coverage(snap, scope, filters), business_unit, date_from, date_to)
    kpis = an.campaign_kpis(snap, scope, filters)
    current, previous = kpis["current"], kpis["previous"] or {}
    summary = pl.DataFrame({
        "metric": list(SUMMARY_METRICS),
        "label": [layout.label(m) for m in SUMMARY_METRICS],
        "value": [_float(current.get(m)) for m in SUMMARY_METRICS],
        "previous_period": [_float(previous.get(m)) for m in SUMMARY_METRICS],
    }, schema={"metric": pl.String, "label": pl.String, "value": pl.Float64, "previous_period": pl.Float64})
    # an outcome still arriving (recent hires, unpaid fees) is no decline: its change is left out, and the report says so
    ripeness = reliability.maturity(snap, scope)
    maturing = sorted(ripeness.maturing(date_to) & set(SUMMARY_METRICS))
    summary = summary.with_columns(
        pl.when((pl.col("previous_period").abs() > 0) & ~pl.col("metric").is_in(maturing))
        .then((pl.col("value") - pl.col("previous_period")) / pl.col("previous_period").abs())
        .otherwise(None).alias("change"))
    by_campaign = an.campaign_performance(snap, scope, filters, ["campaign_id"]).join(
        an.campaigns(snap, scope).select("campaign_id", "campaign_name"), on="campaign_id", how="left")
    by_channel = an.campaign_performance(snap, scope, filters, ["channel"]).with_columns(
        pl.col("channel").replace_strict(labels.CHANNEL_LABELS, default=pl.col("channel"))
        .alias("channel_name"))
    by_month = an.campaign_performance(snap, scope, filters, ["metric_month"])
    funnel = an.funnel(snap, scope, filters, ["business_unit"])
    revenue = an.revenue(snap, scope, filters, ["revenue_month"])
    tables = {
        "Summary": summary,
        "By campaign": by_campaign.select("campaign_id", "campaign_name", *PERFORMANCE_COLUMNS),
        "By channel": by_channel.select("channel", "channel_name", *PERFORMANCE_COLUMNS),
        "By month": by_month.select("metric_month", *PERFORMANCE_COLUMNS),
        "Funnel": reliability.with_small_sample_flags(funnel).select(
            "business_unit", "applied", "screened", "interviewed", "offered", "hired", "screen_rate", "interview_rate",
            "offer_rate", "offer_acceptance_rate", "applied_to_hire_rate", "stale_share", "source_quality",
            "small_sample"),
        "Stripe revenue": revenue.select("revenue_month", "gross_revenue_mxn", "refunds_mxn", "net_revenue_mxn",
                                         "succeeded_charges", "failed_charges", "refund_rate", "charge_failure_rate"),
    }
    notes = [note] if (note := ripeness.note(date_to)) else []
    return RoiReport(business_unit, date_from, date_to, snap.run_id, datetime.now(timezone.utc), summary, tables, notes)


def refuse_an_empty_period(coverage: dict, business_unit: str | None, date_from: date, date_to: date) -> None:
    """A period without one row of campaign data would print pages of zeros: say so, and which period has data."""
    if coverage["rows_in_period"]:
        return
    who = unit_name(business_unit) if business_unit else "There"
    verb = "has" if business_unit else "is"
    if coverage["first_day"] is None:
        raise BadRequest(f"{who} {verb} no campaign data in the current snapshot.", "Choose another business unit.")
    raise BadRequest(f"{who} {verb} no campaign data from {date_from:%Y-%m-%d} to {date_to:%Y-%m-%d}; "
                     f"{'its' if business_unit else 'the'} data runs from {coverage['first_day']:%Y-%m-%d} to "
                     f"{coverage['last_day']:%Y-%m-%d}.", "Choose a period within it.")


def _float(v) -> float | None:
    return None if v is None else float(v)


# -- the dashboard's formats (apps/ui.py); the PDF and the workbook take theirs from layout.py ---------------------------
def column_kind(column: str) -> str:
    if column.endswith("_mxn") or column in ("reward_value",):
        return "currency"
    if column in METRICS:
        return {"ratio": "percent", "multiple": "multiple", "currency": "currency", "score": "number", "count": "number",
                "days": "number"}[
            METRICS[column].unit]
    if column in ("change",):
        return "percent"
    return "text" if column.endswith(("_id", "_name")) or column in ("channel", "label", "metric", "business_unit") else "integer"


def format_value(value, kind: str) -> str:
    if value is None:
        return "n/m" if kind == "multiple" else "–"
    if kind == "multiple":
        return f"{value:,.1f}x"
    if kind == "currency":
        return f"${value:,.0f}"
    if kind == "percent":
        return f"{value:.1%}" if abs(value) < 10 else f"{value:,.1f}x"
    if kind == "number":
        return f"{value:,.1f}"
    if kind == "integer":
        return f"{value:,.0f}" if isinstance(value, (int, float)) else str(value)
    return str(value)


def summary_value_kind(metric: str) -> str:
    return column_kind(metric)


# -- the headline page --------------------------------------------------------------------------------------------------
def _change_words(report: RoiReport, metric: str) -> str:
    row = report.summary.filter(pl.col("metric") == metric).row(0, named=True)
    if row["change"] is None or not row["previous_period"]:
        return ""
    days = (report.date_to - report.date_from).days + 1
    change = row["change"]
    if round(abs(change) * 100, 1) == 0:
        return f", the same as in the {days} days before"
    return f", {abs(change) * 100:.1f}% {'more' if change > 0 else 'less'} than in the {days} days before"


def headline(report: RoiReport) -> list[layout.Tile]:
    """The six figures a director reads first, each with one plain sentence."""
    v = report.value
    spend, revenue, roi, roas = v("spend_mxn"), v("attributed_revenue_mxn"), v("roi"), v("roas")
    applications, qualified, reach, hires, cost_per_hire = (v("applications"), v("qualified_applications"), v("reach"),
                                                            v("hires"), v("cost_per_hire_mxn"))
    money, count = (lambda x: layout.display(x, layout.MONEY)), (lambda x: layout.display(x, layout.COUNT))
    period = f"from {layout.readable_date(report.date_from)} to {layout.readable_date(report.date_to)}"
    if roi is None:
        roi_sentence = (f"Not meaningful: {money(spend)} spent on campaigns in the period, under the "
                        f"{money(ROI_MIN_SPEND_MXN)} a return can be read from.")
    elif roi >= 0:
        roi_sentence = (f"Each $1 spent brought back ${roas:,.2f} of revenue: the campaigns paid for themselves and "
                        f"earned {layout.display(roi, layout.MULTIPLE)} their cost on top.")
    else:
        roi_sentence = (f"Each $1 spent brought back ${roas:,.2f} of revenue: the campaigns have not yet paid for "
                        "themselves.")
    if revenue:
        revenue_sentence = (f"The hires these campaigns brought are credited with {money(revenue)} of revenue "
                            f"{period}{_change_words(report, 'attributed_revenue_mxn')}.")
    elif not hires:
        revenue_sentence = "No revenue is credited yet: these campaigns brought no hire in the period."
    else:
        revenue_sentence = ("No revenue is credited yet: the placement fees of these hires are not paid yet (a fee is "
                            "invoiced when the hire starts and paid within 30 days).")
    return [
        layout.Tile("Spend", layout.compact_money(spend),
                    f"{report.who} spent {money(spend)} on campaigns {period}{_change_words(report, 'spend_mxn')}."),
        layout.Tile("Attributed revenue", layout.compact_money(revenue), revenue_sentence),
        layout.Tile("ROI", layout.display(roi, layout.MULTIPLE), roi_sentence),
        layout.Tile("Applications", count(applications),
                    f"{count(applications)} applications came through these campaigns from {count(reach)} people "
                    f"reached; {count(qualified)} of them passed screening."),
        layout.Tile("Hires", count(hires),
                    (f"{count(hires)} of those applications ended in a hire "
                     f"({layout.display(hires / applications, layout.PERCENT)}); a hire counts on the day its candidate "
                     "applied.") if applications else "No application came in the period, so no hire either."),
        layout.Tile("Cost per hire", layout.compact_money(cost_per_hire) if cost_per_hire is not None
                    else layout.NOT_MEANINGFUL,
                    f"Campaign spend per hire was {money(cost_per_hire)}."
                    if cost_per_hire is not None else "Not meaningful: these campaigns brought no hire in the period."),
    ]


# -- PDF --------------------------------------------------------------------------------------------------------------
def roi_chart(report: RoiReport):
    """Spend and attributed revenue per month, and the cost per application of each channel, in MXN with k/M units
    (a formatter of our own, so matplotlib never adds an offset or a 1e6 to an axis)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    money = FuncFormatter(lambda x, _: layout.compact_money(x))
    month = report.tables["By month"]
    channel = report.tables["By channel"].filter(pl.col("cost_per_application_mxn").is_not_null()).sort(
        "cost_per_application_mxn", descending=True)
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.4), dpi=110)
    labels = [f"{d:%b %y}" for d in month["metric_month"].to_list()]
    x = range(len(labels))
    left.bar([i - 0.2 for i in x], month["spend_mxn"].to_list(), width=0.4, label="Spend", color="#b22222")
    left.bar([i + 0.2 for i in x], month["attributed_revenue_mxn"].to_list(), width=0.4, label="Attributed revenue",
             color="#4a6fa5")
    left.set_xticks(list(x), labels, rotation=45, fontsize=7)
    left.set_title(f"Spend and attributed revenue per month ({REPORTING_CURRENCY})", fontsize=9)
    left.legend(fontsize=7)
    left.yaxis.set_major_formatter(money)
    left.tick_params(axis="y", labelsize=7)
    right.barh(channel["channel_name"].to_list(), channel["cost_per_application_mxn"].to_list(), color="#b22222")
    right.set_title(f"Cost per application by channel ({REPORTING_CURRENCY})", fontsize=9)
    right.xaxis.set_major_formatter(money)
    right.tick_params(labelsize=7)
    right.invert_yaxis()
    if channel.is_empty():
        right.text(0.5, 0.5, "No application in the period", ha="center", va="center", transform=right.transAxes)
        right.set_xticks([])
    fig.tight_layout()
    return fig


def _chart_png(report: RoiReport) -> bytes:
    import matplotlib.pyplot as plt

    fig = roi_chart(report)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


#: The tables of the PDF after the summary, in order (every table of the report is printed).
PDF_TABLES = ("By channel", "By campaign", "By month", "Funnel", "Stripe revenue")
ATTRIBUTED_REVENUE = ("Attributed revenue: the placement fees clients paid for the hires a campaign brought, credited "
                      "to the last campaign that touched the candidate, net of refunds under the guarantee. A placement "
                      "fee is a share of the hire's first-year salary, invoiced when the hire starts; a fee not yet paid "
                      "counts nothing yet. Hires count on the day their candidate applied.")


def definitions(report: RoiReport) -> list[str]:
    """Plain-words definitions of every metric the report prints, from models/metrics.py."""
    shown = dict.fromkeys(c for frame in report.tables.values() for c in frame.columns if c in METRICS)
    shown.update(dict.fromkeys(m for m in report.summary["metric"] if m in METRICS))
    days = (report.date_to - report.date_from).days + 1
    return [ATTRIBUTED_REVENUE, *(f"{METRICS[m].label}: {METRICS[m].description}" for m in shown),
            f"Change: this period against the {days} days just before it.", layout.NOT_MEANINGFUL_NOTE]


def roi_pdf(report: RoiReport) -> bytes:
    pdf = new_pdf(report.title, footer=f"Grupo huntRED · {report.title}")
    pdf.add_page()
    pdf.set_font(layout.FONT, "B", 15)
    pdf.multi_cell(0, 8, report.title, new_x="LMARGIN", new_y="NEXT")
    layout.paragraph(pdf, f"Grupo huntRED · money in {REPORTING_CURRENCY} at each day's exchange rate · generated "
                          f"{report.generated_at:%Y-%m-%d %H:%M} UTC", size=8)
    pdf.ln(4)
    layout.tiles(pdf, headline(report))
    for note in report.notes:  # what must be known to read the figures (outcomes still maturing)
        layout.paragraph(pdf, note, size=8)
        pdf.ln(1)
    layout.paragraph(pdf, "The pages that follow compare these figures with the previous period and break them down by "
                          "channel, campaign and month, then show the recruiting funnel, the Stripe revenue and the "
                          "definitions of every figure.", size=8)
    pdf.add_page()
    layout.table(pdf, report.summary, "Summary")
    for note in report.notes:
        layout.paragraph(pdf, note)
        pdf.ln(1)
    chart_height = 250 * 3.4 / 10
    if layout.space_left(pdf) < chart_height + 2:
        pdf.add_page()
    pdf.image(io.BytesIO(_chart_png(report)), x=pdf.l_margin + 10, y=pdf.get_y() + 1, w=250)
    pdf.set_y(pdf.get_y() + chart_height + 4)
    for title in PDF_TABLES:
        layout.table(pdf, layout.readable(report.tables[title]), title)
    layout.heading(pdf, "Definitions")
    for line in definitions(report):
        layout.paragraph(pdf, line)
        pdf.ln(0.8)
    pdf.ln(2)
    layout.paragraph(pdf, f"Figures from the published snapshot of run {report.run_id[:8]}.", size=6.5)
    return bytes(pdf.output())


# -- Excel ------------------------------------------------------------------------------------------------------------
def roi_xlsx(report: RoiReport) -> bytes:
    notes = [f"{report.who}, {report.date_from:%Y-%m-%d} to {report.date_to:%Y-%m-%d}.",
             f"Money in {REPORTING_CURRENCY} at each day's exchange rate. Generated "
             f"{report.generated_at:%Y-%m-%d %H:%M} UTC from the snapshot of run {report.run_id[:8]}.",
             *report.notes, *definitions(report)]
    return frames_to_xlsx(report.tables, report.title, notes)
