"""Attribution and timing, for marketing analysts: attribution models side by side, application cohorts,
and the phase timeline of the campaigns in the selection."""
import altair as alt
import polars as pl
import streamlit as st

from apps import ui
from apps.data import query
from models.enums import PHASE_NAMES, CampaignPhase
from serving.analytics import ATTRIBUTION_MODELS

snap, user, filters = ui.page_context("attribution", "Attribution", "Which campaigns brought applications and hires")
name, scope = snap.path.name, user.scope

st.subheader("Attribution models side by side")
a_col, b_col, what_col = st.columns(3)
model_a = a_col.selectbox("Model A", ATTRIBUTION_MODELS, index=0, key="attr_a")
model_b = b_col.selectbox("Model B", ATTRIBUTION_MODELS, index=1, key="attr_b")
measure = what_col.selectbox("Credit", ["credited_hires", "credited_applications", "credited_revenue_mxn"], key="attr_measure",
                             format_func=lambda m: m.replace("credited_", "").replace("_mxn", " (MXN)"))
credits = query(name, "attribution", scope, filters, tuple(dict.fromkeys((model_a, model_b))))
if not ui.empty_notice(credits, "attributed conversions"):
    top = (credits.group_by("campaign_id").agg(pl.col(measure).sum()).sort(measure, descending=True).head(15)["campaign_id"])
    shown = credits.filter(pl.col("campaign_id").is_in(top.to_list()))
    ui.chart(alt.Chart(shown).mark_bar().encode(
        y=alt.Y("campaign_name:N", sort="-x", title=None, axis=alt.Axis(labelLimit=260)),
        x=alt.X(f"{measure}:Q", title=measure.replace("_", " ")),
        yOffset="attribution_model:N", color=alt.Color("attribution_model:N", title="model"),
        tooltip=["campaign_name", "attribution_model", alt.Tooltip(f"{measure}:Q", format=",.2f")]).properties(height=420))
    side_by_side = credits.pivot(on="attribution_model", index=["campaign_id", "campaign_name"], values=measure)
    st.dataframe(side_by_side.sort(side_by_side.columns[-1], descending=True, nulls_last=True), hide_index=True,
                 width="stretch", key="attribution_table")
    st.caption("Touches: campaign notifications delivered/opened/clicked and the application itself, one per candidate, "
               "campaign and day, in the 30 days up to the application. Credits of each conversion sum to 1.")

st.subheader("Application cohorts")
cohorts = query(name, "funnel", scope, filters, ("cohort_month",))
if not ui.empty_notice(cohorts, "applications"):
    long = cohorts.unpivot(index="cohort_month", on=["screen_rate", "interview_rate", "offer_rate", "applied_to_hire_rate"],
                           variable_name="step", value_name="rate")
    ui.chart(alt.Chart(long).mark_line(point=True).encode(
        x=alt.X("cohort_month:T", title="month applied", timeUnit="yearmonth"),
        y=alt.Y("rate:Q", axis=alt.Axis(format="%"), title="pass-through"),
        color=alt.Color("step:N", title=None), tooltip=["step", alt.Tooltip("rate:Q", format=".1%")]).properties(height=260))

st.subheader("Phase timeline")
phases = query(name, "phase_timeline", scope, filters)
if not ui.empty_notice(phases, "campaign phases"):
    shown = phases.filter(pl.col("campaign_id").is_in(phases["campaign_id"].unique(maintain_order=True).head(40).to_list()))
    ui.chart(alt.Chart(shown).mark_bar().encode(
        x=alt.X("start_date:T", title=None), x2="end_date:T",
        y=alt.Y("campaign_name:N", sort=alt.SortField("start_date"), title=None, axis=alt.Axis(labelLimit=260)),
        color=alt.Color("phase_name:N", title="phase", sort=[PHASE_NAMES[p] for p in CampaignPhase],
                        scale=alt.Scale(range=["#f4a582", "#d6604d", "#b2182b", "#4393c3"])),
        tooltip=["campaign_name", "phase_name", "start_date", "end_date"]).properties(height=max(160, 16 * shown["campaign_id"].n_unique())))
    if phases["campaign_id"].n_unique() > 40:
        st.caption(f"First 40 of {phases['campaign_id'].n_unique()} campaigns; filter by BU or campaign to see others.")
