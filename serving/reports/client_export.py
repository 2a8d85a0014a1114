"""The consulting export of a huntRED Solutions client: a zip of Excel, Parquet, a PDF summary and a README.

Everything comes from queries scoped to the client in SQL (``Scope(client_id=...)``),
and small counts are suppressed (``suppression.py``) before anything is written.
"""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timezone

import polars as pl

from access import policy
from foundation.errors import BadRequest, Forbidden, NotFound
from models.metrics import CLIENT_MIN_COUNT, METRIC_GROUPS, METRICS, MIN_RATE_SAMPLE, REPORTING_CURRENCY
from serving import analytics as an
from serving.reliability import with_small_sample_flags
from serving.reports import layout
from serving.reports.layout import frames_to_xlsx, new_pdf
from serving.reports.suppression import SUPPRESSED_NOTE, suppress_small_counts
from serving.snapshot import Snapshot

# -- the export's contract ---------------------------------------------------------------------------------------------
#: What a column of a client export holds. Only ``count`` and ``metric`` are touched by suppression: a count from 1 to
#: CLIENT_MIN_COUNT - 1 is blanked, and so is a metric (a formula of models/metrics.py) reading such a count.
ID, NAME, LABEL, DATE, MONEY, COUNT, METRIC = "id", "name", "label", "date", "currency", "count", "metric"

#: A client's view of its campaigns: what was spent for it, what it got, and the fees it paid for those hires. No ROI:
#: that is huntRED's return on its own spend, a figure of huntRED's, not the client's.
CLIENT_PERFORMANCE_COLUMNS = ("spend_mxn", "reach", "clicks", "applications", "qualified_applications", "hires",
                              "attributed_revenue_mxn", "conversion_rate", "cost_per_application_mxn", "cost_per_hire_mxn")

#: The tables a client receives, column by column, in order (the sheets of export.xlsx and the parquet files).
EXPORT_TABLES: dict[str, tuple[str, ...]] = {
    "Campaigns": ("campaign_id", "campaign_name", "objective", "start_date", "end_date", "budget_mxn",
                  *CLIENT_PERFORMANCE_COLUMNS, "engagement_score", "leads_at_retargeting_start", "leads_recovered",
                  "retargeting_impact", "small_sample"),
    "By month and channel": ("metric_month", "channel", *CLIENT_PERFORMANCE_COLUMNS, "ctr", "engagement_score"),
    "Funnel": ("campaign_id", "applied", "screened", "interviewed", "offered", "hired",
               *(m.name for m in METRIC_GROUPS["funnel"]), "small_sample"),
    "Placement fees": an.PLACEMENT_COLUMNS,
    "Billing": ("revenue_month", "revenue_stream", "gross_revenue_mxn", "refunds_mxn", "net_revenue_mxn",
                "succeeded_charges", "failed_charges"),
}

#: What an empty table says instead (every table of EXPORT_TABLES has one).
EMPTY_REASONS: dict[str, str] = {
    "Campaigns": "No campaign ran for you in this period.",
    "By month and channel": "No campaign of yours was live on any channel in this period.",
    "Funnel": "No one applied through your campaigns in this period.",
    "Placement fees": "No placement fee was invoiced to you in this period.",
    "Billing": "No payment of yours reached huntRED in this period.",
}

#: Every column a client may receive, and every count an exported metric reads without it being shipped (impressions,
#: replies, stale, ...: the metric gives it back with its other term, so it is suppressed the same way before the
#: columns are chosen). Metrics are the formulas of models/metrics.py.
EXPORT_COLUMNS: dict[str, str] = {
    "campaign_id": ID, "campaign_name": NAME, "objective": LABEL, "channel": LABEL,
    "start_date": DATE, "end_date": DATE, "metric_month": DATE, "revenue_month": DATE,
    "budget_mxn": MONEY, "spend_mxn": MONEY, "attributed_revenue_mxn": MONEY,
    "gross_revenue_mxn": MONEY, "refunds_mxn": MONEY, "net_revenue_mxn": MONEY,
    # the client's own placement fees and payments (one row per invoice: no candidate, only the vacancy)
    "invoice_number": ID, "vacancy_title": NAME, "revenue_stream": LABEL, "invoice_status": LABEL,
    "guarantee_outcome": LABEL, "small_sample": LABEL, "hired_date": DATE, "placement_start_date": DATE, "invoice_date": DATE,
    "paid_date": DATE, "invoiced_mxn": MONEY, "paid_mxn": MONEY, "refunded_mxn": MONEY, "net_paid_mxn": MONEY,
    # campaign delivery and its funnel: people and their actions
    "reach": COUNT, "impressions": COUNT, "clicks": COUNT, "replies": COUNT, "applications": COUNT,
    "qualified_applications": COUNT, "hires": COUNT, "leads_at_retargeting_start": COUNT, "leads_recovered": COUNT,
    "applied": COUNT, "screened": COUNT, "interviewed": COUNT, "offered": COUNT, "hired": COUNT,
    "offers_pending": COUNT, "stale": COUNT, "stages_reached": COUNT,
    # billing: charges of the client's own account
    "succeeded_charges": COUNT, "failed_charges": COUNT,
    **{name: METRIC for name in METRICS},
}
#: What suppression blanks: read from the contract, never listed a second time.
COUNT_COLUMNS = [column for column, kind in EXPORT_COLUMNS.items() if kind == COUNT]


@dataclass
class ClientExport:
    client_id: str
    client_name: str
    run_id: str
    generated_at: datetime
    date_from: date
    date_to: date
    tables: dict[str, pl.DataFrame] = field(default_factory=dict)

    @property
    def period(self) -> str:
        return f"{layout.readable_date(self.date_from)} to {layout.readable_date(self.date_to)}"

    @property
    def empty_reasons(self) -> dict[str, str]:
        """Why each empty table is empty, in the client's words."""
        return {name: EMPTY_REASONS[name] for name, frame in self.tables.items() if frame.is_empty()}

    @property
    def file_name(self) -> str:
        return f"huntred_export_{self.client_id}_{self.generated_at:%Y%m%d}.zip"


def build_client_export(snap: Snapshot, scope: policy.Scope, client_id: str, filters: an.Filters | None = None) -> ClientExport:
    if scope.client_id is not None and scope.client_id != client_id:
        raise Forbidden("You can only export your own organisation's data.", f"Ask for {scope.client_id}.")
    if scope.business_unit is not None:
        raise Forbidden("Consulting exports are for huntRED Solutions clients.", "Use the ROI report for your business unit.")
    clients = an.solutions_clients(snap, policy.Scope(client_id=client_id))
    if clients.is_empty():
        raise NotFound(f"'{client_id}' is not a huntRED Solutions client in the current data.",
                        "See the client list on the Consulting exports page.")
    client_scope = policy.Scope(client_id=client_id, label=client_id)  # every query below is restricted to this client
    first, last = an.days_covered(snap)
    f = replace(filters or an.Filters(), business_units=(), campaigns=(), channels=(), phases=())
    f = replace(f, date_from=f.date_from or first, date_to=f.date_to or last)
    if f.date_from > f.date_to:
        raise BadRequest(f"The period starts ({f.date_from}) after it ends ({f.date_to}).", "Swap the dates.")
    read = {  # rates read from fewer than MIN_RATE_SAMPLE cases are named in a last column, before suppression
        "Campaigns": with_small_sample_flags(an.campaign_summary(snap, client_scope, f)),
        "By month and channel": an.campaign_performance(snap, client_scope, f, ["metric_month", "channel"]),
        "Funnel": with_small_sample_flags(an.funnel(snap, client_scope, f, ["campaign_id"])),
        "Placement fees": an.placements(snap, client_scope, f),
        "Billing": an.revenue(snap, client_scope, f, ["revenue_month", "revenue_stream"]),
    }
    # suppressed while every count a metric reads is still there, shipped or not; then only the contract's columns go
    tables = {name: suppress_small_counts(frame, COUNT_COLUMNS).select(EXPORT_TABLES[name])
              for name, frame in read.items()}
    return ClientExport(client_id, clients["client_name"][0], snap.run_id, datetime.now(timezone.utc), f.date_from,
                        f.date_to, tables)


def definitions() -> list[tuple[str, str | None, str]]:
    """What every shipped column means (label, column or None for a table, text), for the README and the PDF."""
    shipped = {c for columns in EXPORT_TABLES.values() for c in columns}
    out = [(m.label, m.name, m.description) for group in ("campaign", "retargeting", "funnel")
           for m in METRIC_GROUPS[group] if m.name in shipped]
    return out + [
        ("Attributed revenue", "attributed_revenue_mxn", "the placement fees you paid for the hires a campaign "
         "brought, net of refunds under the guarantee; a hire counts on the day the candidate applied."),
        ("Placement fees", None, "one row per hire invoiced to you: the vacancy, when the hire was made and started, "
         "what was invoiced, paid and refunded, and the guarantee's outcome (replaced or refunded) if it was used."),
        ("Billing", None, "what you paid each month, by what it paid for (placement fees, subscription, consulting)."),
        (layout.label("small_sample"), "small_sample", f"the rates of the row read from fewer than {MIN_RATE_SAMPLE} "
         "cases (their denominator): read them as indications, not facts."),
    ]


def readme(export: ClientExport) -> str:
    lines = [f"# huntRED consulting export — {export.client_name} ({export.client_id})", "",
             f"Period: {export.period}. Generated {export.generated_at:%Y-%m-%d %H:%M} UTC from snapshot run "
             f"{export.run_id}.",
             f"Money is in {REPORTING_CURRENCY}, converted at each day's rate.", "",
             "Everything here is your own: your campaigns, the people who applied through them, your hires, the fees "
             "huntRED invoiced you and what you paid. No figure of huntRED's or of another client is included.", "",
             SUPPRESSED_NOTE, f"In export.xlsx and summary.pdf such a count reads {layout.SUPPRESSED} and such a ratio "
             f"{layout.NOT_MEANINGFUL}; in the parquet files both are empty (null).", "",
             "## Files", "", "- `export.xlsx`: one sheet per table", "- `parquet/<table>.parquet`: the same tables",
             "- `summary.pdf`: the headline figures, then every table, formatted", ""]
    if export.empty_reasons:
        lines += ["## Empty tables", ""] + [f"- **{name}**: {why}" for name, why in export.empty_reasons.items()] + [""]
    lines += ["## Definitions", ""]
    lines += [f"- **{label}**" + (f" (`{column}`)" if column else "") + f": {text}"
              for label, column, text in definitions()]
    return "\n".join(lines) + "\n"


def _at_least(frame: pl.DataFrame, column: str) -> tuple[int, bool]:
    """The least a count column adds up to as shipped (a hidden count is at least 1), and whether one is hidden."""
    hidden = frame[column].null_count()
    return int(frame[column].sum() or 0) + hidden, hidden > 0


def client_headline(export: ClientExport) -> list[layout.Tile]:
    """Headline figures from the shipped tables only: a total of unsuppressed numbers could give a hidden count back.
    No ROI: that is huntRED's return on its own spend, not a figure of the client's."""
    campaigns, fees, billing = export.tables["Campaigns"], export.tables["Placement fees"], export.tables["Billing"]
    money = lambda x: layout.display(x, layout.MONEY)  # noqa: E731
    spend, budget = campaigns["spend_mxn"].sum() or 0, campaigns["budget_mxn"].sum() or 0
    attributed, net = campaigns["attributed_revenue_mxn"].sum() or 0, billing["net_revenue_mxn"].sum() or 0
    invoiced = fees["invoiced_mxn"].sum() or 0
    count = campaigns.height
    tiles = [
        layout.Tile("Spend", layout.compact_money(spend),
                    f"{money(spend)} was spent on the {count} campaign{'s' if count != 1 else ''} run for "
                    f"{export.client_name} in the period, against a budget of {money(budget)}."),
    ]
    for column, what in (("applications", "applications came through these campaigns"),
                         ("hires", "of those applications ended in a hire")):
        total, hidden = _at_least(campaigns, column)
        shown = layout.display(total, layout.COUNT)
        tiles.append(layout.Tile(layout.label(column), f"{shown}+" if hidden else shown,
                                 f"At least {shown} {what}: a campaign's count under {CLIENT_MIN_COUNT} is not "
                                 "shown, and counts here as 1." if hidden else f"{shown} {what}."))
    tiles += [
        layout.Tile("Fees paid for these hires", layout.compact_money(attributed),
                    f"{money(attributed)} of placement fees, net of guarantee refunds, paid for the hires these "
                    "campaigns brought."),
        layout.Tile("Placement fees invoiced", layout.compact_money(invoiced),
                    f"{money(invoiced)} invoiced for {fees.height} placement{'s' if fees.height != 1 else ''} "
                    "in the period, whatever brought the candidate."),
        layout.Tile("Paid to huntRED", layout.compact_money(net),
                    f"{money(net)} paid by {export.client_name} in the period, net of refunds: placement fees, "
                    "subscription and consulting."),
    ]
    return tiles


def _with_campaign_names(frame: pl.DataFrame, names: dict[str, str]) -> pl.DataFrame:
    """A table keyed by campaign id gets the campaign's name beside it (the printed table shows names)."""
    if "campaign_id" not in frame.columns or "campaign_name" in frame.columns:
        return frame
    named = frame.with_columns(pl.col("campaign_id").replace_strict(names, default=pl.col("campaign_id"))
                               .alias("campaign_name"))
    return named.select("campaign_name", *frame.columns)


def summary_pdf(export: ClientExport) -> bytes:
    title = f"Consulting export · {export.client_name}"
    pdf = new_pdf(title, footer=f"Grupo huntRED · {title} · {export.period}")
    pdf.add_page()
    pdf.set_font(layout.FONT, "B", 15)
    pdf.multi_cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    layout.paragraph(pdf, f"Period: {export.period} · money in {REPORTING_CURRENCY} at each day's exchange rate · "
                          f"generated {export.generated_at:%Y-%m-%d %H:%M} UTC", size=8)
    pdf.ln(4)
    layout.tiles(pdf, client_headline(export))
    layout.paragraph(pdf, f"{layout.SUPPRESSED_LEGEND} {layout.NOT_MEANINGFUL_NOTE}", size=8)
    pdf.add_page()
    campaigns = export.tables["Campaigns"]
    names = dict(zip(campaigns["campaign_id"].to_list(), campaigns["campaign_name"].to_list()))
    for name, frame in export.tables.items():
        layout.table(pdf, layout.readable(_with_campaign_names(frame, names)), name, empty=EMPTY_REASONS[name])
    layout.heading(pdf, "Definitions")
    for label, _, text in definitions():
        layout.paragraph(pdf, f"{label}: {text}")
        pdf.ln(0.8)
    return bytes(pdf.output())


def export_zip(export: ClientExport) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("README.md", readme(export))
        zf.writestr("export.xlsx", frames_to_xlsx(
            export.tables, f"huntRED consulting export · {export.client_name}",
            [f"Period: {export.period}.", f"Money in {REPORTING_CURRENCY} at each day's exchange rate.", SUPPRESSED_NOTE,
             layout.SUPPRESSED_LEGEND, layout.NOT_MEANINGFUL_NOTE]))
        for name, frame in export.tables.items():
            out = io.BytesIO()
            frame.write_parquet(out)
            zf.writestr(f"parquet/{name.lower().replace(' ', '_')}.parquet", out.getvalue())
        zf.writestr("summary.pdf", summary_pdf(export))
    return buf.getvalue()
