"""The ROI report of a business unit for a period: one set of numbers, rendered to the page, PDF and Excel.

``build_roi_report`` runs the queries (scope enforced in SQL); ``roi_pdf`` and
``roi_xlsx`` only lay out what it returned, so the page, the PDF and the workbook can
never disagree.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

import polars as pl

from access import policy
from foundation.errors import BadRequest, Forbidden
from models.enums import BUSINESS_UNIT_NAMES, CHANNEL_NAMES, BusinessUnit
from models.metrics import METRICS, REPORTING_CURRENCY
from serving import analytics as an
from serving import reliability
from serving.snapshot import Snapshot

SUMMARY_METRICS = ("spend_mxn", "attributed_revenue_mxn", "reach", "clicks", "applications", "qualified_applications",
                   "hires", "ctr", "conversion_rate", "cost_per_application_mxn", "qualified_cost_per_application_mxn",
                   "cost_per_hire_mxn", "engagement_score", "roi", "roas")
LABELS = {"spend_mxn": "Spend", "attributed_revenue_mxn": "Attributed revenue", "reach": "Reach", "clicks": "Clicks",
          "applications": "Applications", "qualified_applications": "Qualified applications", "hires": "Hires",
          **{m.name: m.label for m in METRICS.values()}}
PERFORMANCE_COLUMNS = ["spend_mxn", "attributed_revenue_mxn", "reach", "clicks", "applications", "qualified_applications",
                       "hires", "conversion_rate", "cost_per_application_mxn", "cost_per_hire_mxn", "roi", "roas"]


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
        who = BUSINESS_UNIT_NAMES[BusinessUnit(self.business_unit)] if self.business_unit else "All business units"
        return f"ROI report · {who} · {self.date_from:%Y-%m-%d} to {self.date_to:%Y-%m-%d}"

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
    kpis = an.campaign_kpis(snap, scope, filters)
    current, previous = kpis["current"], kpis["previous"] or {}
    summary = pl.DataFrame({
        "metric": list(SUMMARY_METRICS),
        "label": [LABELS[m] for m in SUMMARY_METRICS],
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
        pl.col("channel").replace_strict({c.value: n for c, n in CHANNEL_NAMES.items()}, default=pl.col("channel"))
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


def _float(v) -> float | None:
    return None if v is None else float(v)


# -- formatting shared by PDF and Excel ---------------------------------------------------------------------------------
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
    if metric in ("roi", "roas"):
        return "number"
    return column_kind(metric)


# -- PDF --------------------------------------------------------------------------------------------------------------
def _chart_png(report: RoiReport) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    month = report.tables["By month"]
    channel = report.tables["By channel"].sort("spend_mxn", descending=True)
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.4), dpi=110)
    labels = [d.strftime("%b %y") for d in month["metric_month"].to_list()]
    x = range(len(labels))
    left.bar([i - 0.2 for i in x], month["spend_mxn"].to_list(), width=0.4, label="Spend", color="#b22222")
    left.bar([i + 0.2 for i in x], month["attributed_revenue_mxn"].to_list(), width=0.4, label="Attributed revenue",
             color="#4a6fa5")
    left.set_xticks(list(x), labels, rotation=45, fontsize=7)
    left.set_title(f"Spend and revenue per month ({REPORTING_CURRENCY})", fontsize=9)
    left.legend(fontsize=7)
    left.tick_params(axis="y", labelsize=7)
    right.barh(channel["channel_name"].to_list(), channel["cost_per_application_mxn"].fill_null(0).to_list(), color="#b22222")
    right.set_title(f"Cost per application by channel ({REPORTING_CURRENCY})", fontsize=9)
    right.tick_params(labelsize=7)
    right.invert_yaxis()
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


def _pdf_table(pdf, frame: pl.DataFrame, columns: list[str], widths: list[float], kinds: list[str]) -> None:
    pdf.set_font("DejaVu", "B", 7)
    pdf.set_fill_color(240, 240, 240)
    for header, width in zip([LABELS.get(c, c.replace("_", " ")) for c in columns], widths):
        pdf.cell(width, 5, header[:34], border=1, fill=True)
    pdf.ln()
    pdf.set_font("DejaVu", "", 7)
    for row in frame.select(columns).iter_rows():
        if pdf.get_y() > 190:
            pdf.add_page()
        for value, width, kind in zip(row, widths, kinds):
            pdf.cell(width, 4.5, format_value(value, kind)[:40], border=1,
                     align="L" if kind == "text" else "R")
        pdf.ln()


def new_pdf():
    """A landscape A4 document with DejaVu Sans, the Unicode font that ships inside matplotlib (no download)."""

    import matplotlib
    from fpdf import FPDF

    fonts = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.add_font("DejaVu", "", str(fonts / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(fonts / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(auto=True, margin=12)
    return pdf


def roi_pdf(report: RoiReport) -> bytes:
    pdf = new_pdf()
    pdf.set_title(report.title)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 15)
    pdf.cell(0, 9, report.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 8)
    pdf.cell(0, 5, f"Grupo huntRED · money in {REPORTING_CURRENCY} at each day's rate · snapshot of run "
                   f"{report.run_id[:8]} · generated {report.generated_at:%Y-%m-%d %H:%M} UTC", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    summary = report.summary
    kinds = [summary_value_kind(m) for m in summary["metric"]]
    pdf.set_font("DejaVu", "B", 8)
    for header, width in zip(("Metric", "This period", "Previous period", "Change"), (60, 35, 35, 25)):
        pdf.cell(width, 5, header, border=1, fill=False)
    pdf.ln()
    pdf.set_font("DejaVu", "", 8)
    for (metric, label, value, previous, change), kind in zip(summary.iter_rows(), kinds):
        pdf.cell(60, 4.6, label, border=1)
        pdf.cell(35, 4.6, format_value(value, kind), border=1, align="R")
        pdf.cell(35, 4.6, format_value(previous, kind), border=1, align="R")
        pdf.cell(25, 4.6, format_value(change, "percent"), border=1, align="R")
        pdf.ln()
    for note in report.notes:
        pdf.ln(1)
        pdf.multi_cell(0, 3.8, note, new_x="LMARGIN", new_y="NEXT")
    pdf.image(io.BytesIO(_chart_png(report)), x=20, y=pdf.get_y() + 4, w=250)
    pdf.add_page()
    for title, label_column, label_width in (("By channel", "channel_name", 30), ("By campaign", "campaign_name", 60)):
        pdf.set_font("DejaVu", "B", 11)
        pdf.cell(0, 7, title, new_x="LMARGIN", new_y="NEXT")
        width = (272 - label_width) / len(PERFORMANCE_COLUMNS)
        _pdf_table(pdf, report.tables[title], [label_column, *PERFORMANCE_COLUMNS],
                   [label_width] + [width] * len(PERFORMANCE_COLUMNS),
                   kinds=["text", *[column_kind(c) for c in PERFORMANCE_COLUMNS]])
        pdf.ln(3)
    pdf.set_font("DejaVu", "B", 11)
    pdf.cell(0, 7, "Definitions", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 7)
    for metric in ("conversion_rate", "cost_per_application_mxn", "cost_per_hire_mxn", "engagement_score", "roi", "roas"):
        pdf.multi_cell(0, 3.8, f"{METRICS[metric].label}: {METRICS[metric].description}", new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 3.8, "Attributed revenue: the placement fees clients paid for the hires a campaign brought (last "
                           "touch), net of refunds under the guarantee. A placement fee is a share of the hire's first-year "
                           "salary, invoiced when the hire starts; one not yet paid counts nothing yet. Hires count on the "
                           "day their candidate applied.", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


# -- Excel ------------------------------------------------------------------------------------------------------------
EXCEL_FORMATS = {"currency": "#,##0.00", "percent": "0.0%", "number": "#,##0.0", "integer": "#,##0"}


def frames_to_xlsx(tables: dict[str, pl.DataFrame], title: str, notes: list[str] | None = None) -> bytes:
    """One formatted sheet per table (header row, number formats, column widths), and an 'About' sheet."""
    import xlsxwriter

    buf = io.BytesIO()
    with xlsxwriter.Workbook(buf, {"in_memory": True, "nan_inf_to_errors": True}) as wb:
        about = wb.add_worksheet("About")
        about.write(0, 0, title, wb.add_format({"bold": True, "font_size": 14}))
        for i, line in enumerate(notes or [], start=2):
            about.write(i, 0, line)
        about.set_column(0, 0, 110)
        for name, frame in tables.items():
            formats = {c: EXCEL_FORMATS[column_kind(c)] for c in frame.columns if column_kind(c) in EXCEL_FORMATS}
            if name == "Summary":
                formats = {"value": "#,##0.00", "previous_period": "#,##0.00", "change": "0.0%"}
            frame.write_excel(wb, worksheet=name[:31], autofit=True, column_formats=formats, float_precision=4,
                              header_format={"bold": True, "bg_color": "#F0F0F0"}, table_style="Table Style Light 1")
    return buf.getvalue()


def roi_xlsx(report: RoiReport) -> bytes:
    notes = [f"Money in {REPORTING_CURRENCY} at each day's rate. Snapshot of run {report.run_id}.",
             f"Generated {report.generated_at:%Y-%m-%d %H:%M} UTC.", *report.notes,
             *(f"{m.label}: {m.description}" for m in METRICS.values() if m.name in SUMMARY_METRICS)]
    return frames_to_xlsx(report.tables, report.title, notes)
