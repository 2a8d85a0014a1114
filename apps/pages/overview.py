"""Data overview: what landed from each source, how fresh it is, and what was quarantined and why."""
from datetime import datetime, timezone

import polars as pl
import streamlit as st

from apps import data, ui
from foundation.errors import UserError

snap, user, _ = ui.page_context("overview", "Data overview")

age_hours = (datetime.now(timezone.utc) - snap.published_at).total_seconds() / 3600
st.caption(f"Snapshot of run `{snap.run_id[:8]}`, published {snap.published_at:%Y-%m-%d %H:%M UTC} ({age_hours:.1f} h ago). "
           "Times are Mexico City time.")

status = data.source_status(snap.path.name)
cols = st.columns(len(status))
for col, row in zip(cols, status.iter_rows(named=True)):
    share = row["rows_quarantined"] / row["records_read"] if row["records_read"] else 0.0
    col.metric(row["source"].replace("_", " ").title(), f"{row['rows_loaded']:,} rows")
    newest = row["newest_record"]
    col.caption(f"{row['rows_quarantined']:,} quarantined ({share:.2%}) · {row['files_ingested']:,} files"
                + (f" · data up to {newest:%Y-%m-%d}" if newest else " · no data yet"))

st.subheader("Sources")
st.dataframe(status, hide_index=True, width="stretch", column_config={
    "records_read": st.column_config.NumberColumn("records read", format="%d"),
    "rows_loaded": st.column_config.NumberColumn("rows in raw", format="%d"),
    "rows_quarantined": st.column_config.NumberColumn("quarantined", format="%d"),
    "last_ingested_at": st.column_config.DatetimeColumn("last ingested"),
    "newest_record": st.column_config.DatetimeColumn("newest record"),
})

st.subheader("Quarantine")
summary = data.quarantine_summary(snap.path.name)
if summary.is_empty():
    st.success("Nothing is in quarantine.")
else:
    by_reason = summary.group_by("reason_code").agg(pl.col("records").sum()).sort("records", descending=True)
    left, right = st.columns([1, 2])
    left.bar_chart(by_reason, x="reason_code", y="records", horizontal=True)
    right.dataframe(summary, hide_index=True, width="stretch")
    source = st.selectbox("Source", ["all", *sorted(summary["source"].unique().to_list())], key="quarantine_source")
    reason = st.selectbox("Reason", ["all", *sorted(summary["reason_code"].unique().to_list())], key="quarantine_reason")
    try:
        records = data.quarantine_records(snap.path.name, None if source == "all" else source,
                                          None if reason == "all" else reason, user.sees_pii)
    except UserError as exc:
        st.error(f"{exc.problem} {exc.fix}")
    else:
        if not user.sees_pii:
            st.caption("Emails, phones and names in the records are pseudonymized; free-text messages are withheld.")
        st.dataframe(records, hide_index=True, width="stretch")

with st.expander("Tables in this snapshot"):
    st.dataframe(data.table_counts(snap.path.name), hide_index=True, width="stretch")
