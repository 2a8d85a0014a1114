"""Data overview: what landed from each source, how fresh it is, and what was quarantined and why."""
from datetime import datetime, timezone

import altair as alt
import polars as pl
import streamlit as st

from apps import data, ui
from foundation.errors import UserError
from models.labels import QUARANTINE_REASON_LABELS, SOURCE_LABELS, label

snap, user, _ = ui.page_context("overview", "Data overview")

age_hours = (datetime.now(timezone.utc) - snap.published_at).total_seconds() / 3600
st.caption(f"Snapshot of run `{snap.run_id[:8]}`, published {snap.published_at:%Y-%m-%d %H:%M UTC} ({age_hours:.1f} h ago). "
           "Times are Mexico City time.")

status = data.source_status(snap.path.name)
cols = st.columns(len(status))
for col, row in zip(cols, status.iter_rows(named=True)):
    share = row["rows_quarantined"] / row["records_read"] if row["records_read"] else 0.0
    col.metric(label("source", row["source"]), f"{row['rows_loaded']:,} rows")
    newest = row["newest_record"]
    col.caption(f"{row['rows_quarantined']:,} quarantined ({share:.2%}) · {row['files_ingested']:,} files"
                + (f" · data up to {newest:%Y-%m-%d}" if newest else " · no data yet"))

st.subheader("Sources")
ui.table(status, key="sources_table")

st.subheader("Quarantine")
summary = data.quarantine_summary(snap.path.name)
if summary.is_empty():
    st.success("Nothing is in quarantine.")
else:
    by_reason = summary.group_by("reason_code").agg(pl.col("records").sum()).sort("records", descending=True)
    left, right = st.columns([1, 2])
    with left:
        ui.chart(alt.Chart(ui.labelled(by_reason)).mark_bar(color=ui.BRAND).encode(
            x=alt.X("records:Q", title="Records"), y=alt.Y("reason_code:N", sort="-x", title=None, axis=ui.rows_axis()),
            tooltip=[ui.tip("reason_code"), ui.tip("records:Q", ",")]).properties(height=ui.ROW))
    with right:
        ui.table(summary, key="quarantine_summary")
    sources = {"all": "All sources", **SOURCE_LABELS}
    reasons = {"all": "All reasons", **QUARANTINE_REASON_LABELS}
    source = st.selectbox("Source", ["all", *sorted(summary["source"].unique().to_list())], key="quarantine_source",
                          format_func=lambda s: sources.get(s, s))
    reason = st.selectbox("Reason", ["all", *sorted(summary["reason_code"].unique().to_list())], key="quarantine_reason",
                          format_func=lambda r: reasons.get(r, r))
    try:
        records = data.quarantine_records(snap.path.name, None if source == "all" else source,
                                          None if reason == "all" else reason, user.sees_pii)
    except UserError as exc:
        st.error(f"{exc.problem} {exc.fix}")
    else:
        if not user.sees_pii:
            st.caption("Emails, phones and names in the records are pseudonymized; free-text messages are withheld.")
        ui.table(records, key="quarantine_records")

with st.expander("Tables in this snapshot"):
    ui.table(data.table_counts(snap.path.name), key="table_counts")
