"""The consulting export of a huntRED Solutions client: a zip of Excel, Parquet, a PDF summary and a README.

Everything comes from queries scoped to the client in SQL (``Scope(client_id=...)``),
and small counts are suppressed (``suppression.py``) before anything is written.
"""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone

import polars as pl

from access import policy
from foundation.errors import Forbidden, NotFound
from models.metrics import METRIC_GROUPS, METRICS, REPORTING_CURRENCY
from serving import analytics as an
from serving.reports.roi import PERFORMANCE_COLUMNS, column_kind, format_value, frames_to_xlsx, new_pdf
from serving.reports.suppression import SUPPRESSED_NOTE, suppress_small_counts
from serving.snapshot import Snapshot

# -- the export's contract ---------------------------------------------------------------------------------------------
#: What a column of a client export holds. Only ``count`` and ``metric`` are touched by suppression: a count from 1 to
#: CLIENT_MIN_COUNT - 1 is blanked, and so is a metric (a formula of models/metrics.py) reading such a count.
ID, NAME, LABEL, DATE, MONEY, COUNT, METRIC = "id", "name", "label", "date", "currency", "count", "metric"

#: The tables a client receives, column by column, in order (the sheets of export.xlsx and the parquet files).
EXPORT_TABLES: dict[str, tuple[str, ...]] = {
    "Campaigns": ("campaign_id", "campaign_name", "objective", "start_date", "end_date", "budget_mxn",
                  *PERFORMANCE_COLUMNS, "engagement_score", "leads_at_retargeting_start", "leads_recovered",
                  "retargeting_impact"),
    "By month and channel": ("metric_month", "channel", *PERFORMANCE_COLUMNS, "ctr", "engagement_score"),
    "Funnel": ("campaign_id", "applied", "screened", "interviewed", "offered", "hired",
               *(m.name for m in METRIC_GROUPS["funnel"])),
    "Billing": ("revenue_month", "gross_revenue_mxn", "refunds_mxn", "net_revenue_mxn", "succeeded_charges",
                "failed_charges"),
}

#: Every column a client may receive, and every count an exported metric reads without it being shipped (impressions,
#: replies, stale, ...: the metric gives it back with its other term, so it is suppressed the same way before the
#: columns are chosen). Metrics are the formulas of models/metrics.py.
EXPORT_COLUMNS: dict[str, str] = {
    "campaign_id": ID, "campaign_name": NAME, "objective": LABEL, "channel": LABEL,
    "start_date": DATE, "end_date": DATE, "metric_month": DATE, "revenue_month": DATE,
    "budget_mxn": MONEY, "spend_mxn": MONEY, "attributed_revenue_mxn": MONEY,
    "gross_revenue_mxn": MONEY, "refunds_mxn": MONEY, "net_revenue_mxn": MONEY,
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
    tables: dict[str, pl.DataFrame] = field(default_factory=dict)

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
    f = filters or an.Filters()
    read = {
        "Campaigns": an.campaign_summary(snap, client_scope, f),
        "By month and channel": an.campaign_performance(snap, client_scope, f, ["metric_month", "channel"]),
        "Funnel": an.funnel(snap, client_scope, f, ["campaign_id"]),
        "Billing": an.revenue(snap, client_scope, f, ["revenue_month"]),
    }
    # suppressed while every count a metric reads is still there, shipped or not; then only the contract's columns go
    tables = {name: suppress_small_counts(frame, COUNT_COLUMNS).select(EXPORT_TABLES[name])
              for name, frame in read.items()}
    return ClientExport(client_id, clients["client_name"][0], snap.run_id, datetime.now(timezone.utc), tables)


def readme(export: ClientExport) -> str:
    lines = [f"# huntRED consulting export — {export.client_name} ({export.client_id})", "",
             f"Generated {export.generated_at:%Y-%m-%d %H:%M} UTC from snapshot run {export.run_id}.",
             f"Money is in {REPORTING_CURRENCY}, converted at each day's rate.", "", SUPPRESSED_NOTE, "",
             "## Files", "", "- `export.xlsx`: one sheet per table", "- `parquet/<table>.parquet`: the same tables",
             "- `summary.pdf`: the campaign table, formatted", "", "## Definitions", ""]
    for group in ("campaign", "retargeting", "funnel"):
        lines += [f"- **{m.label}** (`{m.name}`): {m.description}" for m in METRIC_GROUPS[group]]
    lines += ["", "Hires count on the day their candidate applied; attributed revenue is the revenue of those hires."]
    return "\n".join(lines) + "\n"


def summary_pdf(export: ClientExport) -> bytes:
    pdf = new_pdf()
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 14)
    pdf.cell(0, 8, f"Consulting export · {export.client_name}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 8)
    pdf.cell(0, 5, f"Generated {export.generated_at:%Y-%m-%d %H:%M} UTC · money in {REPORTING_CURRENCY} · {SUPPRESSED_NOTE}",
             new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    for name in ("Campaigns", "Billing"):
        frame = export.tables[name]
        pdf.set_font("DejaVu", "B", 10)
        pdf.cell(0, 6, name, new_x="LMARGIN", new_y="NEXT")
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
