"""Attribution and timing, for marketing analysts: attribution models side by side, application cohorts,
and the phase timeline of the campaigns in the selection."""
import altair as alt
import polars as pl
import streamlit as st

from apps import ui
from apps.data import query
from models.labels import ATTRIBUTION_MODEL_LABELS, PHASE_LABELS, column_label
from models.metrics import METRICS
from serving.analytics import ATTRIBUTION_MODELS

snap, user, filters = ui.page_context("attribution", "Attribution", "Which campaigns brought applications and hires")
name, scope = snap.path.name, user.scope

st.subheader("Attribution models side by side")
a_col, b_col, what_col = st.columns(3)
model_a = a_col.selectbox("Model A", ATTRIBUTION_MODELS, index=0, key="attr_a", format_func=ATTRIBUTION_MODEL_LABELS.get)
model_b = b_col.selectbox("Model B", ATTRIBUTION_MODELS, index=1, key="attr_b", format_func=ATTRIBUTION_MODEL_LABELS.get)
measure = what_col.selectbox("Credit", ["credited_hires", "credited_applications", "credited_revenue_mxn"], key="attr_measure",
                             format_func=column_label)
credits = query(name, "attribution", scope, filters, tuple(dict.fromkeys((model_a, model_b))))
if not ui.empty_notice(credits, "attributed conversions"):
    top = (credits.group_by("campaign_id").agg(pl.col(measure).sum()).sort(measure, descending=True).head(15)["campaign_id"])
    shown = ui.labelled(credits.filter(pl.col("campaign_id").is_in(top.to_list())).with_columns(pl.col(measure).fill_null(0)))
    ui.chart(alt.Chart(shown).mark_bar().encode(
        y=alt.Y("campaign_name:N", sort="-x", title=None, axis=ui.rows_axis()),
        x=alt.X(f"{measure}:Q", title=column_label(measure)),
        yOffset=alt.YOffset("attribution_model:N", title="Model"),
        color=alt.Color("attribution_model:N", title="Model"),
        tooltip=[ui.tip("campaign_name"), ui.tip("attribution_model", title="Model"), ui.tip(f"{measure}:Q", ",.2f")])
        .properties(height=alt.Step(14)))
    # a campaign a model gave no credit has none under it: zero, not a missing value
    models = list(dict.fromkeys(ATTRIBUTION_MODEL_LABELS[m] for m in (model_a, model_b)))
    side_by_side = ui.labelled(credits).pivot(on="attribution_model", index=["campaign_id", "campaign_name"], values=measure)
    side_by_side = (side_by_side.with_columns(pl.lit(0.0).alias(m) for m in models if m not in side_by_side.columns)
                    .fill_null(0).sort(models[0], descending=True).select("campaign_name", *models))
    ui.table(side_by_side, key="attribution_table")
    st.caption("Touches: campaign notifications delivered/opened/clicked and the application itself, one per candidate, "
               "campaign and day, in the 30 days up to the application. Credits of each conversion sum to 1.")

st.subheader("Application cohorts")
cohorts = query(name, "funnel", scope, filters, ("cohort_month",))
if not ui.empty_notice(cohorts, "applications"):
    steps = ["screen_rate", "interview_rate", "offer_rate", "applied_to_hire_rate"]
    long = cohorts.unpivot(index="cohort_month", on=steps, variable_name="step", value_name="rate").with_columns(
        pl.col("step").replace({s: METRICS[s].label for s in steps}))
    ui.chart(alt.Chart(long).mark_line(point=True).encode(
        x=alt.X("cohort_month:T", title="Month applied", timeUnit="yearmonth"),
        y=alt.Y("rate:Q", axis=alt.Axis(format="%"), title="Pass-through"),
        color=alt.Color("step:N", title="Step", sort=[METRICS[s].label for s in steps]),
        tooltip=[ui.tip("step", title="Step"), ui.tip("cohort_month:T", "%Y-%m", "Month applied"),
                 ui.tip("rate:Q", ".1%", "Pass-through")]).properties(height=260))

st.subheader("Phase timeline")
phases = query(name, "phase_timeline", scope, filters)
if not ui.empty_notice(phases, "campaign phases"):
    shown = ui.labelled(phases.filter(
        pl.col("campaign_id").is_in(phases["campaign_id"].unique(maintain_order=True).head(40).to_list())))
    ui.chart(alt.Chart(shown).mark_bar().encode(
        x=alt.X("start_date:T", title=None), x2=alt.X2("end_date:T", title=None),
        y=alt.Y("campaign_name:N", sort=alt.SortField("start_date"), title=None, axis=ui.rows_axis()),
        color=alt.Color("phase:N", title="Phase", sort=list(PHASE_LABELS.values()),
                        scale=alt.Scale(domain=list(PHASE_LABELS.values()),
                                        range=["#f4a582", "#d6604d", "#b2182b", "#4393c3"])),
        tooltip=[ui.tip("campaign_name"), ui.tip("phase"), ui.tip("start_date:T", "%Y-%m-%d"),
                 ui.tip("end_date:T", "%Y-%m-%d")]).properties(height=ui.ROW))
    if phases["campaign_id"].n_unique() > 40:
        st.caption(f"First 40 of {phases['campaign_id'].n_unique()} campaigns; filter by BU or campaign to see others.")
