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
from models.metrics import METRIC_GROUPS, METRICS, MIN_RATE_SAMPLE, REPORTING_CURRENCY
from serving import analytics as an
from serving.reliability import with_small_sample_flags
from serving.reports.roi import PERFORMANCE_COLUMNS, column_kind, format_value, frames_to_xlsx, new_pdf
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
        return f"{self.date_from:%d %b %Y} to {self.date_to:%d %b %Y}"

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


def readme(export: ClientExport) -> str:
    lines = [f"# huntRED consulting export — {export.client_name} ({export.client_id})", "",
             f"Period: {export.period}. Generated {export.generated_at:%Y-%m-%d %H:%M} UTC.",
             f"Money is in {REPORTING_CURRENCY}, converted at each day's rate.", "",
             "Everything here is your own: your campaigns, the people who applied through them, your hires, the fees "
             "huntRED invoiced you and what you paid. No figure of huntRED's or of another client is included.", "",
             SUPPRESSED_NOTE, "", "## Files", "", "- `export.xlsx`: one sheet per table",
             "- `parquet/<table>.parquet`: the same tables (suppressed counts are empty cells)",
             "- `summary.pdf`: the headline figures and tables, formatted", ""]
    if export.empty_reasons:
        lines += ["## Empty tables", ""] + [f"- **{name}**: {why}" for name, why in export.empty_reasons.items()] + [""]
    lines += ["## Definitions", ""]
    for group in ("campaign", "retargeting", "funnel"):
        lines += [f"- **{m.label}** (`{m.name}`): {m.description}" for m in METRIC_GROUPS[group]
                  if m.name in EXPORT_COLUMNS and any(m.name in cols for cols in EXPORT_TABLES.values())]
    lines += ["- **Attributed revenue** (`attributed_revenue_mxn`): the placement fees you paid for the hires a "
              "campaign brought, net of refunds under the guarantee; a hire counts on the day the candidate applied.",
              "- **Placement fees**: one row per hire invoiced to you - the vacancy, when the hire was made and started, "
              "what was invoiced, paid and refunded, and the guarantee's outcome (replaced or refunded) if it was used.",
              "- **Billing**: what you paid each month, by what it paid for (placement fees, subscription, consulting).",
              f"- **small_sample**: the rates of the row read from fewer than {MIN_RATE_SAMPLE} cases (their "
              "denominator): read them as indications, not facts."]
    return "\n".join(lines) + "\n"


def summary_pdf(export: ClientExport) -> bytes:
    pdf = new_pdf()
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 14)
    pdf.cell(0, 8, f"Consulting export · {export.client_name}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 8)
    pdf.cell(0, 5, f"{export.period} · generated {export.generated_at:%Y-%m-%d %H:%M} UTC · money in {REPORTING_CURRENCY} · "
             f"{SUPPRESSED_NOTE}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    for name in ("Campaigns", "Placement fees", "Billing"):
        frame = export.tables[name]
        pdf.set_font("DejaVu", "B", 10)
        pdf.cell(0, 6, name, new_x="LMARGIN", new_y="NEXT")
        if frame.is_empty():
            pdf.set_font("DejaVu", "", 8)
            pdf.cell(0, 5, EMPTY_REASONS[name], new_x="LMARGIN", new_y="NEXT")
            pdf.ln(3)
            continue
        columns = [c for c in frame.columns if c not in ("campaign_id", "objective", "start_date", "end_date")][:12]
        width = 270 / len(columns)
        pdf.set_font("DejaVu", "B", 6)
        for c in columns:
            pdf.cell(width, 5, c.replace("_", " ")[:22], border=1)
        pdf.ln()
        pdf.set_font("DejaVu", "", 6)
        for row in frame.select(columns).iter_rows():
            for c, v in zip(columns, row):
                kind = column_kind(c)
                pdf.cell(width, 4.5, (format_value(v, kind) if not hasattr(v, "strftime") else f"{v:%Y-%m}")[:30],
                         border=1, align="L" if kind == "text" else "R")
            pdf.ln()
        pdf.ln(3)
    return bytes(pdf.output())


def export_zip(export: ClientExport) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("README.md", readme(export))
        zf.writestr("export.xlsx", frames_to_xlsx(export.tables, f"huntRED consulting export · {export.client_name}",
                                                  [SUPPRESSED_NOTE, f"Money in {REPORTING_CURRENCY}."]))
        for name, frame in export.tables.items():
            out = io.BytesIO()
            frame.write_parquet(out)
            zf.writestr(f"parquet/{name.lower().replace(' ', '_')}.parquet", out.getvalue())
        zf.writestr("summary.pdf", summary_pdf(export))
    return buf.getvalue()
