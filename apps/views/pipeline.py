"""Pipeline: stage pass-through, time in stage, time to hire, offer acceptance, stale applications, source quality.

Every application counts here, those made through a campaign and organic ones (made without a campaign); the
Campaigns page counts only the first, so this page says how many of each it counts."""
import altair as alt
import polars as pl
import streamlit as st

from apps import ui
from apps.data import query
from models.labels import ORGANIC_LABEL
from models.metrics import MIN_RATE_SAMPLE

snap, user, filters = ui.page_context("pipeline", "Pipeline", "Applications by the month they were made")
name, scope = snap.path.name, user.scope

total = query(name, "funnel", scope, filters, ())
if ui.empty_notice(total, "applications"):
    st.stop()
t = total.row(0, named=True)
origin = {r["origin"]: r for r in query(name, "funnel_by_origin", scope, filters).iter_rows(named=True)}
through_campaigns, organic = (origin.get(o, {}).get("applied", 0) for o in ("campaign", "organic"))
cols = st.columns(6)
cols[0].metric("Applications", f"{t['applied']:,}", border=True,
               help=f"Through campaigns: {through_campaigns:,} ({origin.get('campaign', {}).get('hired', 0):,} hired). "
                    f"Organic, without a campaign: {organic:,} ({origin.get('organic', {}).get('hired', 0):,} hired).")
for col, (label, metric) in zip(cols[1:], [("Applied → screened", "screen_rate"), ("Applied → hired", "applied_to_hire_rate"),
                                           ("Offer acceptance", "offer_acceptance_rate"), ("% stale", "stale_share"),
                                           ("Source quality", "source_quality")]):
    ui.kpi(col, label, metric, t, None, invert=metric == "stale_share")
st.caption(f"A rate read from fewer than {MIN_RATE_SAMPLE} cases (its denominator: applications, offers decided, ...) "
           "is marked \"small sample\" here and in the tables: not yet a fact about that channel or campaign.")
first = filters.date_from.replace(day=1) if filters.date_from else None
st.caption(f"**{t['applied']:,} applications: {through_campaigns:,} through campaigns and {organic:,} organic** "
           "(no campaign). The Campaigns page counts only those through campaigns, on the day they were made; here "
           "applications are counted by whole months"
           + (f", from {first:%Y-%m-%d}." if first else ".") + " A campaign filter leaves out the organic ones.")
ui.table(query(name, "funnel_by_origin", scope, filters).with_columns(
             pl.col("origin").replace({"campaign": "Through campaigns", "organic": ORGANIC_LABEL})),
         ["origin", "applied", "screened", "interviewed", "offered", "hired", "screen_rate", "applied_to_hire_rate",
          "stale_share", "source_quality"], key="pass_through_origin")

durations = query(name, "stage_durations", scope, filters)
left, right = st.columns(2)
with left:
    st.subheader("Time in stage (completed stages)")
    if not ui.empty_notice(durations, "completed stages"):
        shown = ui.labelled(durations)
        long = shown.unpivot(index="stage", on=["median_days", "p90_days"], variable_name="statistic", value_name="days") \
            .with_columns(pl.col("statistic").replace({"median_days": "Median", "p90_days": "90th percentile"}))
        ui.chart(alt.Chart(long).mark_bar().encode(
            y=alt.Y("stage:N", sort=list(shown["stage"]), title=None, axis=ui.rows_axis()), x=alt.X("days:Q", title="Days"),
            yOffset=alt.YOffset("statistic:N", title="Statistic", sort=["Median", "90th percentile"]),
            color=alt.Color("statistic:N", title="Statistic", sort=["Median", "90th percentile"],
                            scale=alt.Scale(range=["#b22222", "#f4a582"])),
            tooltip=[ui.tip("stage"), ui.tip("statistic", title="Statistic"), ui.tip("days:Q", ".1f", "Days")])
            .properties(height=alt.Step(14)))
        ui.table(durations, key="durations_table")
with right:
    st.subheader("Source quality by channel")
    by_source = query(name, "funnel", scope, filters, ("source_channel",))
    ui.chart(alt.Chart(ui.labelled(by_source)).mark_bar(color=ui.BRAND).encode(
        x=alt.X("source_quality:Q", axis=alt.Axis(format="%"), title="Share of later stages reached"),
        y=alt.Y("source_channel:N", sort="-x", title=None, axis=ui.rows_axis()),
        tooltip=[ui.tip("source_channel"), ui.tip("source_quality:Q", ".1%"), ui.tip("applied:Q", ",")])
        .properties(height=ui.ROW))

st.subheader("Pass-through by channel")
ui.table(ui.sample_flags(by_source), ["source_channel", "applied", "screened", "interviewed", "offered", "hired",
                                     "screen_rate", "interview_rate", "offer_rate", "offer_acceptance_rate",
                                     "applied_to_hire_rate", "stale_share", "source_quality", "small_sample"],
         key="pass_through_channel")
st.subheader("Pass-through by business unit")
ui.table(ui.sample_flags(query(name, "funnel", scope, filters, ("business_unit",))),
         ["business_unit", "applied", "screened", "interviewed", "offered", "hired", "screen_rate", "interview_rate",
          "offer_rate", "offer_acceptance_rate", "applied_to_hire_rate", "stale_share", "source_quality", "small_sample"],
         key="pass_through_bu")
st.subheader("Pass-through by campaign")
by_campaign = query(name, "funnel_by_campaign", scope, filters).with_columns(
    pl.col("campaign_name").fill_null(ORGANIC_LABEL))
ui.table(ui.sample_flags(by_campaign.sort("applied", descending=True)),
         ["campaign_name", "applied", "screened", "interviewed", "offered", "hired", "screen_rate", "applied_to_hire_rate",
          "stale_share", "source_quality", "small_sample"], key="pass_through_campaign")
