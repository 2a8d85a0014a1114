"""Pipeline: stage pass-through, time in stage, time to hire, offer acceptance, stale applications, source quality."""
import altair as alt
import streamlit as st

from apps import ui
from apps.data import query

snap, user, filters = ui.page_context("pipeline", "Pipeline", "Applications by the month they were made")
name, scope = snap.path.name, user.scope

total = query(name, "funnel", scope, filters, ())
if ui.empty_notice(total, "applications"):
    st.stop()
t = total.row(0, named=True)
cols = st.columns(6)
for col, (label, metric) in zip(cols, [("Applications", "applied"), ("Applied → screened", "screen_rate"),
                                       ("Applied → hired", "applied_to_hire_rate"), ("Offer acceptance", "offer_acceptance_rate"),
                                       ("% stale", "stale_share"), ("Source quality", "source_quality")]):
    ui.kpi(col, label, metric, t, None, invert=metric == "stale_share")

durations = query(name, "stage_durations", scope, filters)
left, right = st.columns(2)
with left:
    st.subheader("Time in stage (completed stages)")
    if not ui.empty_notice(durations, "completed stages"):
        long = durations.unpivot(index="stage", on=["median_days", "p90_days"], variable_name="statistic", value_name="days")
        ui.chart(alt.Chart(long).mark_bar().encode(
            y=alt.Y("stage:N", sort=list(durations["stage"]), title=None), x=alt.X("days:Q"),
            yOffset="statistic:N", color=alt.Color("statistic:N", scale=alt.Scale(range=["#b22222", "#f4a582"])),
            tooltip=["stage", "statistic", "days"]).properties(height=260))
        ui.table(durations, key="durations_table")
with right:
    st.subheader("Source quality by channel")
    by_source = ui.channel_name(query(name, "funnel", scope, filters, ("source_channel",)), "source_channel")
    ui.chart(alt.Chart(by_source).mark_bar(color=ui.BRAND).encode(
        x=alt.X("source_quality:Q", axis=alt.Axis(format="%"), title="share of later stages reached"),
        y=alt.Y("source_channel_name:N", sort="-x", title=None),
        tooltip=["source_channel_name", alt.Tooltip("source_quality:Q", format=".1%"), alt.Tooltip("applied:Q", format=",")])
        .properties(height=260))

st.subheader("Pass-through by channel")
ui.table(by_source, ["source_channel_name", "applied", "screened", "interviewed", "offered", "hired", "screen_rate",
                     "interview_rate", "offer_rate", "offer_acceptance_rate", "applied_to_hire_rate", "stale_share",
                     "source_quality"], key="pass_through_channel")
st.subheader("Pass-through by business unit")
ui.table(query(name, "funnel", scope, filters, ("business_unit",)),
         ["business_unit", "applied", "screened", "interviewed", "offered", "hired", "screen_rate", "interview_rate",
          "offer_rate", "offer_acceptance_rate", "applied_to_hire_rate", "stale_share", "source_quality"], key="pass_through_bu")
st.subheader("Pass-through by campaign")
by_campaign = query(name, "funnel", scope, filters, ("campaign_id",))
ui.table(by_campaign.sort("applied", descending=True),
         ["campaign_id", "applied", "screened", "interviewed", "offered", "hired", "screen_rate", "applied_to_hire_rate",
          "stale_share", "source_quality"], key="pass_through_campaign")
