"""Campaigns, for marketing analysts: KPIs with period-over-period change, alerts, the funnel, channels,
and conversion by channel x week. Phases, cohorts and attribution are on the Attribution page."""
import altair as alt
import polars as pl
import streamlit as st

from apps import ui
from apps.data import query

snap, user, filters = ui.page_context("campaigns", "Campaigns", "Campaign performance (seed 13.12, 13.14)")
name, scope = snap.path.name, user.scope

alerts = query(name, "alerts", scope, filters)
if not alerts.is_empty():
    with st.expander(f":material/warning: {len(alerts)} campaign alert(s) in this selection", expanded=False):
        ui.table(alerts, ["severity", "business_unit", "campaign_name", "metric", "metric_value", "direction", "threshold",
                          "meaning"], key="alerts_table")

kpis = query(name, "campaign_kpis", scope, filters)
cur, prev = kpis["current"], kpis["previous"]
retarget = query(name, "retargeting_impact", scope, filters)
row1 = st.columns(6)
for col, (label, metric) in zip(row1, [("Reach", "reach"), ("Clicks", "clicks"), ("Applications", "applications"),
                                       ("Hires", "hires"), ("Spend", "spend_mxn"), ("Attributed revenue", "attributed_revenue_mxn")]):
    ui.kpi(col, label, metric, cur, prev, invert=metric == "spend_mxn")
row2 = st.columns(6)
for col, (label, metric, invert) in zip(row2, [("CTR", "ctr", False), ("Conversion rate", "conversion_rate", False),
                                               ("Cost per application", "cost_per_application_mxn", True),
                                               ("Qualified CPA", "qualified_cost_per_application_mxn", True),
                                               ("Cost per hire", "cost_per_hire_mxn", True),
                                               ("Engagement score", "engagement_score", False)]):
    ui.kpi(col, label, metric, cur, prev, invert=invert)
row3 = st.columns(6)
ui.kpi(row3[0], "ROI", "roi", cur, prev)
ui.kpi(row3[1], "ROAS", "roas", cur, prev)
ui.kpi(row3[2], "Retargeting impact", "retargeting_impact", retarget, None)
row3[3].metric("Hire rate", ui.format_value(cur.get("hire_rate"), "percent"), border=True,
               help="Hires / applications.")

left, right = st.columns(2)
with left:
    st.subheader("Funnel")
    funnel = pl.DataFrame({"stage": ["Reach", "Clicks", "Applications", "Hires"],
                           "people": [cur["reach"], cur["clicks"], cur["applications"], cur["hires"]],
                           "order": [1, 2, 3, 4]})
    ui.chart(alt.Chart(funnel).mark_bar(color=ui.BRAND).encode(
        x=alt.X("people:Q", scale=alt.Scale(type="symlog"), title="people (symlog scale)"),
        y=alt.Y("stage:N", sort=alt.SortField("order"), title=None),
        tooltip=["stage", alt.Tooltip("people:Q", format=",")]).properties(height=220))
with right:
    st.subheader("Channels")
    by_channel = ui.channel_name(query(name, "campaign_performance", scope, filters, ("channel",)))
    if not ui.empty_notice(by_channel, "channel activity"):
        ui.chart(alt.Chart(by_channel).mark_bar(color=ui.BRAND).encode(
            x=alt.X("cost_per_application_mxn:Q", title="cost per application (MXN)"),
            y=alt.Y("channel_name:N", sort="-x", title=None),
            tooltip=["channel_name", alt.Tooltip("applications:Q", format=","),
                     alt.Tooltip("conversion_rate:Q", format=".2%"), alt.Tooltip("cost_per_application_mxn:Q", format=",.0f")])
            .properties(height=220))
ui.table(by_channel, ["channel_name", "reach", "clicks", "applications", "hires", "spend_mxn", "ctr", "conversion_rate",
                      "cost_per_application_mxn", "cost_per_hire_mxn", "engagement_score", "roi"], key="channel_table")

st.subheader("Conversion by channel and week")
heat = ui.channel_name(query(name, "campaign_performance", scope, filters, ("metric_week", "channel")))
heat = heat.with_columns(pl.col("metric_week").dt.strftime("%Y-%m-%d").alias("week"))
if not ui.empty_notice(heat, "weekly activity"):
    ui.chart(alt.Chart(heat).mark_rect().encode(
        x=alt.X("week:O", title="week starting"),
        y=alt.Y("channel_name:N", title=None),
        color=alt.Color("conversion_rate:Q", title="conversion", scale=alt.Scale(scheme="reds")),
        tooltip=["channel_name", "week", alt.Tooltip("conversion_rate:Q", format=".3%"),
                 alt.Tooltip("applications:Q", format=",")]).properties(height=260))

with st.expander("Campaign table"):
    summary = query(name, "campaign_summary", scope, filters)
    ui.table(summary, ["campaign_name", "business_unit", "start_date", "end_date", "budget_mxn", "reach", "applications", "hires",
                       "spend_mxn", "conversion_rate", "cost_per_hire_mxn", "engagement_score", "retargeting_impact", "roi"],
             key="campaign_table")
