"""Campaigns, for marketing analysts: KPIs with period-over-period change, alerts, the funnel, channels,
and conversion by channel x week. Phases, cohorts and attribution are on the Attribution page."""
import altair as alt
import polars as pl
import streamlit as st

from apps import ui
from apps.data import maturity, query

snap, user, filters = ui.page_context("campaigns", "Campaigns", "Campaign performance (seed 13.12, 13.14)")
name, scope = snap.path.name, user.scope

alerts = query(name, "alerts", scope, filters)
if not alerts.is_empty():
    with st.expander(f":material/warning: {len(alerts)} campaign alert(s) in this selection", expanded=False):
        ui.table(ui.formatted_by_metric(alerts, ["metric_value", "threshold"]),
                 ["severity", "business_unit", "campaign_name", "metric", "metric_value", "direction", "threshold", "meaning"],
                 key="alerts_table")

kpis = query(name, "campaign_kpis", scope, filters)
cur, prev = kpis["current"], kpis["previous"]
ripeness = maturity(name, scope)
maturing = ripeness.maturing(filters.date_to)
if note := ripeness.note(filters.date_to):
    st.info(note, icon=":material/hourglass_top:")
retarget = query(name, "retargeting_impact", scope, filters)
row1 = st.columns(6)
for col, (label, metric) in zip(row1, [("Reach", "reach"), ("Clicks", "clicks"), ("Applications", "applications"),
                                       ("Hires", "hires"), ("Spend", "spend_mxn"), ("Attributed revenue", "attributed_revenue_mxn")]):
    ui.kpi(col, label, metric, cur, prev, invert=metric == "spend_mxn", maturing=maturing)
row2 = st.columns(6)
for col, (label, metric, invert) in zip(row2, [("CTR", "ctr", False), ("Conversion rate", "conversion_rate", False),
                                               ("Cost per application", "cost_per_application_mxn", True),
                                               ("Qualified CPA", "qualified_cost_per_application_mxn", True),
                                               ("Cost per hire", "cost_per_hire_mxn", True),
                                               ("Engagement score", "engagement_score", False)]):
    ui.kpi(col, label, metric, cur, prev, invert=invert, maturing=maturing)
row3 = st.columns(6)
ui.kpi(row3[0], "ROI", "roi", cur, prev, maturing=maturing)
ui.kpi(row3[1], "ROAS", "roas", cur, prev, maturing=maturing)
ui.kpi(row3[2], "Retargeting impact", "retargeting_impact", retarget, None)
row3[3].metric("Hire rate", ui.format_value(cur.get("hire_rate"), "percent"), border=True,
               help="Hires / applications.")

left, right = st.columns(2)
with left:
    st.subheader("Funnel")
    ui.chart(ui.funnel_chart(ui.funnel_steps([("Reach", cur["reach"]), ("Clicks", cur["clicks"]),
                                              ("Applications", cur["applications"]), ("Hires", cur["hires"])])))
    st.caption("Each bar: people at that step, and the share of the step before who got there. Applications and hires "
               "here are those made through a campaign; the Pipeline page adds organic applications.")
with right:
    st.subheader("Channels")
    by_channel = query(name, "campaign_performance", scope, filters, ("channel",))
    if not ui.empty_notice(by_channel, "channel activity"):
        ui.chart(alt.Chart(ui.labelled(by_channel)).mark_bar(color=ui.BRAND).encode(
            x=alt.X("cost_per_application_mxn:Q", title="Cost per application (MXN)"),
            y=alt.Y("channel:N", sort="-x", title=None, axis=ui.rows_axis()),
            tooltip=[ui.tip("channel"), ui.tip("applications:Q", ","), ui.tip("conversion_rate:Q", ".2%"),
                     ui.tip("cost_per_application_mxn:Q", ",.0f")])
            .properties(height=ui.ROW))
ui.table(by_channel, ["channel", "reach", "clicks", "applications", "hires", "spend_mxn", "ctr", "conversion_rate",
                      "cost_per_application_mxn", "cost_per_hire_mxn", "engagement_score", "roi"], key="channel_table")

st.subheader("Conversion by channel and week")
heat = ui.labelled(query(name, "campaign_performance", scope, filters, ("metric_week", "channel")))
heat = heat.with_columns(pl.col("metric_week").dt.strftime("%Y-%m-%d").alias("week"))
if not ui.empty_notice(heat, "weekly activity"):
    ui.chart(alt.Chart(heat).mark_rect().encode(
        x=alt.X("week:O", title="Week starting"),
        y=alt.Y("channel:N", title=None, axis=ui.rows_axis()),
        color=alt.Color("conversion_rate:Q", title="Conversion", scale=alt.Scale(scheme="reds"),
                        legend=alt.Legend(format=".1%")),
        tooltip=[ui.tip("channel"), ui.tip("week", title="Week starting"), ui.tip("conversion_rate:Q", ".3%"),
                 ui.tip("applications:Q", ",")]).properties(height=ui.ROW))

with st.expander("Campaign table"):
    summary = query(name, "campaign_summary", scope, filters)
    ui.table(summary, ["campaign_name", "business_unit", "start_date", "end_date", "budget_mxn", "reach", "applications", "hires",
                       "spend_mxn", "conversion_rate", "cost_per_hire_mxn", "engagement_score", "retargeting_impact", "roi"],
             key="campaign_table")
