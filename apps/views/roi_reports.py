"""ROI reports for BU managers: the numbers of a BU and period on the page, and the same numbers as PDF and Excel."""
import altair as alt
import polars as pl
import streamlit as st

from access.policy import Scope
from apps import ui
from apps.session import private_download
from foundation.errors import UserError
from foundation.settings import get_settings
from models.labels import COLUMN_LABELS
from serving.reports.roi import (PERFORMANCE_COLUMNS, build_roi_report, report_title, roi_pdf, roi_xlsx,
                                 summary_value_kind)
from serving.snapshot import open_current

snap, user, filters = ui.page_context("roi_reports", "ROI reports", "Spend against the revenue of the hires it brought")
scope = user.scope

# The sidebar's business unit picker is the one picker: a report is of the one BU chosen there, or of all of them.
if scope.business_unit:
    bu = scope.business_unit
elif len(filters.business_units) > 1:
    st.info("A report covers one business unit or all of them: choose one (or none) in the sidebar.")
    st.stop()
else:
    bu = filters.business_units[0] if filters.business_units else None
st.caption("The business unit and period are the sidebar's. Campaign, channel and phase filters do not apply to a BU report.")


@st.cache_data(show_spinner="Building the report…", max_entries=32)
def build(snapshot_name: str, scope: Scope, bu, date_from, date_to):
    return build_roi_report(open_current(get_settings()), scope, bu, date_from, date_to)


if filters.date_from and filters.date_to:
    st.subheader(report_title(bu, filters.date_from, filters.date_to))
try:
    report = build(snap.path.name, scope, bu, filters.date_from, filters.date_to)
except UserError as exc:  # e.g. a period without campaign data: the sentence instead of files full of zeros
    st.error(f"{exc.problem} {exc.fix}")
    st.stop()
d1, d2, _ = st.columns([1, 1, 3])
# The files are made on click (never left on Streamlit's media endpoint ahead of it): see private_download.
private_download(d1, "Download PDF", lambda: roi_pdf(report), file_name=f"{report.file_stem}.pdf", mime="application/pdf",
                 resource="dashboard/roi_reports", key="download_pdf", type="primary", icon=":material/picture_as_pdf:")
private_download(d2, "Download Excel", lambda: roi_xlsx(report), file_name=f"{report.file_stem}.xlsx",
                 mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                 resource="dashboard/roi_reports", key="download_xlsx", icon=":material/table:")

for note in report.notes:
    st.info(note, icon=":material/hourglass_top:")
cols = st.columns(5)
for col, metric in zip(cols, ("spend_mxn", "attributed_revenue_mxn", "hires", "roi", "roas")):
    row = report.summary.filter(report.summary["metric"] == metric).row(0, named=True)
    change = f"{row['change']:+.1%}" if row["change"] is not None else None
    col.metric(row["label"], ui.compact(row["value"], summary_value_kind(metric)), change, border=True,
               delta_color="inverse" if metric == "spend_mxn" else "normal",
               help="The change compares with the period of the same length just before.")

left, right = st.columns([2, 3])
with left:
    shown = [(r["label"], ui.format_value(r["value"], summary_value_kind(r["metric"])),
              ui.format_value(r["previous_period"], summary_value_kind(r["metric"])), ui.format_value(r["change"], "percent"))
             for r in report.summary.iter_rows(named=True)]
    st.dataframe(pl.DataFrame(shown, schema=["metric", "this period", "previous period", "change"], orient="row"),
                 hide_index=True, width="stretch", height=36 * len(shown) + 40, key="roi_summary")
with right:
    month = ui.with_month(report.tables["By month"], "metric_month")
    ui.chart(alt.Chart(month.unpivot(index="month", on=["spend_mxn", "attributed_revenue_mxn"], variable_name="series",
                                     value_name="mxn").with_columns(pl.col("series").replace(COLUMN_LABELS)))
             .mark_bar().encode(
        x=alt.X("month:O", title=None), y=alt.Y("mxn:Q", title="MXN"), xOffset="series:N",
        color=alt.Color("series:N", title=None, scale=alt.Scale(range=["#4a6fa5", "#b22222"]))).properties(height=300))

st.subheader("By channel")
ui.table(report.tables["By channel"], ["channel_name", *PERFORMANCE_COLUMNS], key="roi_channel")
st.subheader("By campaign")
ui.table(report.tables["By campaign"], ["campaign_name", *PERFORMANCE_COLUMNS], key="roi_campaign")
with st.expander("Funnel and Stripe revenue"):
    ui.table(report.tables["Funnel"], key="roi_funnel")
    ui.table(report.tables["Stripe revenue"], key="roi_revenue")
