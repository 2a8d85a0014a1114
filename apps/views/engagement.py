"""Engagement: active candidates, chatbot, notifications, gamification, referrals, assessments, retention.

These marts are per business unit and period; campaign, channel and phase filters do not apply.
"""
import altair as alt
import polars as pl
import streamlit as st

from apps import ui
from apps.data import query
from models.labels import churn_reasons
from models.metrics import METRICS

snap, user, filters = ui.page_context("engagement", "Engagement", "Candidates' own activity · BU and period filters apply")
name, scope = snap.path.name, user.scope

st.subheader("Active candidates")
daily = query(name, "active_candidates", scope, filters, "day")
weekly = query(name, "active_candidates", scope, filters, "week")
if not ui.empty_notice(daily, "candidate activity"):
    c1, c2, c3 = st.columns(3)
    c1.metric("Mean daily active", f"{daily['active_candidates'].mean():,.0f}", border=True,
              help="Candidates who did something themselves that day (chat, apply, assessment, referral, open/click).")
    c2.metric("Mean weekly active", f"{weekly['active_candidates'].mean():,.0f}", border=True,
              help="Distinct active candidates per week (not the sum of the days).")
    c3.metric("Peak daily active", f"{daily['active_candidates'].max():,}", border=True)
    both = pl.concat([daily.with_columns(pl.lit("Daily").alias("grain")), weekly.with_columns(pl.lit("Weekly").alias("grain"))])
    ui.chart(alt.Chart(both).mark_line().encode(
        x=alt.X("period:T", title=None), y=alt.Y("active_candidates:Q", title="Active candidates"),
        color=alt.Color("grain:N", title="Counted", scale=alt.Scale(range=["#f4a582", "#b22222"])),
        tooltip=[ui.tip("grain", title="Counted"), ui.tip("period:T", "%Y-%m-%d", "Day or week"),
                 ui.tip("active_candidates:Q", ",")]).properties(height=240))

st.subheader("Chatbot")
chat = query(name, "chatbot", scope, filters, ("channel",))
if not ui.empty_notice(chat, "chatbot conversations"):
    total = query(name, "chatbot", scope, filters, ()).row(0, named=True)
    c1, c2, c3, c4 = st.columns(4)
    ui.kpi(c1, "Conversations", "conversations", total, None)
    ui.kpi(c2, "Messages", "messages", total, None)
    ui.kpi(c3, "Fallback to human", "fallback_to_human_rate", total, None, invert=True)
    ui.kpi(c4, "Resolved by the bot", "chat_resolution_rate", total, None)
    left, right = st.columns(2)
    with left:
        ui.table(chat, ["channel", "conversations", "messages", "resolved", "handed_to_human", "abandoned",
                        "fallback_to_human_rate", "chat_resolution_rate", "messages_per_conversation"], key="chat_table")
    with right:
        intents = query(name, "chat_intents", scope, filters)
        ui.chart(alt.Chart(ui.labelled(intents)).mark_arc(innerRadius=50).encode(
            theta=alt.Theta("messages:Q", title="Messages"), color=alt.Color("intent:N", title="Intent"),
            tooltip=[ui.tip("intent"), ui.tip("messages:Q", ","), ui.tip("mean_intent_score:Q", ".2f")])
            .properties(height=240))

st.subheader("Notifications")
by_channel = query(name, "notifications", scope, filters, ("channel",))
if not ui.empty_notice(by_channel, "notifications"):
    rates = ["delivery_rate", "open_rate", "click_rate"]
    shown = ui.labelled(by_channel).unpivot(index="channel", on=rates, variable_name="rate", value_name="value") \
        .with_columns(pl.col("rate").replace({r: METRICS[r].label for r in rates}))
    ui.chart(alt.Chart(shown).mark_bar().encode(
        x=alt.X("channel:N", title=None, axis=alt.Axis(labelAngle=0)), y=alt.Y("value:Q", axis=alt.Axis(format="%"), title=None),
        xOffset=alt.XOffset("rate:N", sort=[METRICS[r].label for r in rates]),
        color=alt.Color("rate:N", title="Rate", sort=[METRICS[r].label for r in rates],
                        scale=alt.Scale(range=["#4393c3", "#b22222", "#f4a582"])),
        tooltip=[ui.tip("channel"), ui.tip("rate", title="Rate"), ui.tip("value:Q", ".1%", "Value")]).properties(height=240))
    ui.table(by_channel, ["channel", "sent", "delivered", "opened", "clicked", "failed", "delivery_rate", "open_rate",
                          "click_rate", "failure_rate"], key="notif_channel")
    with st.expander("By template"):
        ui.table(query(name, "notifications", scope, filters, ("channel", "template_id")).sort("sent", descending=True),
                 ["channel", "template_id", "sent", "delivered", "opened", "clicked", "open_rate", "click_rate"],
                 key="notif_template")

left, right = st.columns(2)
with left:
    st.subheader("Gamification")
    gam = ui.with_month(query(name, "gamification", scope, filters), "activity_month")
    if not ui.empty_notice(gam, "gamification events"):
        ui.chart(alt.Chart(gam).mark_bar(color=ui.BRAND).encode(
            x=alt.X("month:O", title=None), y=alt.Y("points_awarded:Q", title="Points awarded"),
            tooltip=[ui.tip("month"), ui.tip("points_awarded:Q", ","), ui.tip("candidates_awarded:Q", ","),
                     ui.tip("achievements_unlocked:Q", ","), ui.tip("levels_reached:Q", ",")])
            .properties(height=220))
        ui.table(gam.drop("month"), key="gamification_table")
with right:
    st.subheader("Referrals")
    refs = ui.with_month(query(name, "referrals", scope, filters), "activity_month")
    if not ui.empty_notice(refs, "referrals"):
        ui.chart(alt.Chart(refs.unpivot(index="month", on=["invited", "converted"], variable_name="status",
                                        value_name="referrals").with_columns(
                                            pl.col("status").replace({"invited": "Invited", "converted": "Converted"})))
                 .mark_bar().encode(
            x=alt.X("month:O", title=None), y=alt.Y("referrals:Q", title="Referrals"),
            xOffset=alt.XOffset("status:N", sort=["Invited", "Converted"]),
            color=alt.Color("status:N", title="Referrals", sort=["Invited", "Converted"],
                            scale=alt.Scale(range=["#b22222", "#f4a582"])),
            tooltip=[ui.tip("month"), ui.tip("status", title="Referrals"), ui.tip("referrals:Q", ",", "Count")])
            .properties(height=220))
        st.caption("Leaderboard (referrers ranked by converted referrals; all time)")
        ui.table(query(name, "referral_leaderboard", scope, filters), key="leaderboard")

st.subheader("Assessments")
ui.table(query(name, "assessments", scope, filters), key="assessments_table")

st.subheader("Retention by signup month")
ret = ui.with_month(query(name, "retention", scope, filters), "cohort_month")
if not ui.empty_notice(ret, "cohorts"):
    ui.chart(alt.Chart(ret).mark_rect().encode(
        x=alt.X("months_since_signup:O", title="Months since signup", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("month:O", title="Signup month", axis=ui.rows_axis()),
        color=alt.Color("retention_rate:Q", scale=alt.Scale(scheme="reds"), title="Retention", legend=alt.Legend(format="%")),
        tooltip=[ui.tip("month", title="Signup month"), ui.tip("months_since_signup"), ui.tip("cohort_size:Q", ","),
                 ui.tip("active_candidates:Q", ","), ui.tip("retention_rate:Q", ".1%")]).properties(height=ui.ROW))

st.subheader("Churn risk, next 30 days")
risk = query(name, "churn_risk", scope, filters)
if risk.is_empty():
    st.info("No churn scores yet: a data scientist trains the model (`huntred ml train churn`, or the Models page).")
else:
    st.caption(f"Champion churn model v{risk['churn_model_version'][0]}, scored for the 30 days from "
               f"{risk['scored_for_cutoff'].max():%Y-%m-%d}; candidates active in the 30 days before.")
    ui.table(risk.drop("churn_model_version", "scored_for_cutoff"), key="churn_risk_table")
    st.caption("Most at risk, with the model's reasons")
    at_risk = query(name, "at_risk_candidates", scope, filters)
    ui.table(at_risk.with_columns(pl.col("churn_reasons").map_elements(churn_reasons, return_dtype=pl.String)),
             key="at_risk_table")
    st.caption("Why at risk: the features that raise the model's probability most for that candidate. "
               "A dash: no propensity model has scored the candidate yet (a data scientist trains them on the Models page).")
