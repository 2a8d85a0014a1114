"""Revenue from Stripe: daily revenue, refunds and failed charges, the MRR bridge, per BU and per client, reconciliation."""
import altair as alt
import polars as pl
import streamlit as st

from apps import ui
from apps.data import query

snap, user, filters = ui.page_context("revenue", "Revenue", "Stripe charges, invoices and subscriptions · BU and period filters apply")
name, scope = snap.path.name, user.scope

total = query(name, "revenue", scope, filters, ())
t = total.row(0, named=True)
c = st.columns(5)
ui.kpi(c[0], "Gross revenue", "gross_revenue_mxn", t, None)
ui.kpi(c[1], "Refunds", "refunds_mxn", t, None, invert=True)
ui.kpi(c[2], "Net revenue", "net_revenue_mxn", t, None)
ui.kpi(c[3], "Refund rate", "refund_rate", t, None, invert=True)
ui.kpi(c[4], "Failed charges", "charge_failure_rate", t, None, invert=True)

daily = query(name, "revenue", scope, filters, ("revenue_date",))
if not ui.empty_notice(daily, "charges"):
    ui.chart(alt.Chart(daily).mark_bar(color=ui.BRAND).encode(
        x=alt.X("revenue_date:T", title=None), y=alt.Y("net_revenue_mxn:Q", title="Net revenue (MXN)"),
        tooltip=[ui.tip("revenue_date:T", "%Y-%m-%d"), ui.tip("gross_revenue_mxn:Q", ",.0f"), ui.tip("refunds_mxn:Q", ",.0f"),
                 ui.tip("failed_charges:Q", ",")]).properties(height=220))

st.subheader("MRR bridge")
mrr = query(name, "mrr_movements", scope, filters)
if not ui.empty_notice(mrr, "subscription invoices"):
    movements = {"new_mrr_mxn": "New", "expansion_mrr_mxn": "Expansion", "reactivation_mrr_mxn": "Reactivation",
                 "contraction_mrr_mxn": "Contraction", "churned_mrr_mxn": "Churned"}
    moves = ui.with_month(mrr, "mrr_month").select("month", "new_mrr_mxn", "expansion_mrr_mxn", "reactivation_mrr_mxn",
                       (-pl.col("contraction_mrr_mxn")).alias("contraction_mrr_mxn"),
                       (-pl.col("churned_mrr_mxn")).alias("churned_mrr_mxn"))
    long = moves.unpivot(index="month", variable_name="movement", value_name="mxn") \
        .with_columns(pl.col("movement").replace(movements))
    ui.chart(alt.Chart(long).mark_bar().encode(
        x=alt.X("month:O", title=None), y=alt.Y("mxn:Q", title="MRR movement (MXN)"),
        color=alt.Color("movement:N", title="Movement", scale=alt.Scale(
            domain=list(movements.values()), range=["#1a9850", "#91cf60", "#4393c3", "#fc8d59", "#d73027"])),
        tooltip=[ui.tip("month"), ui.tip("movement", title="Movement"), ui.tip("mxn:Q", ",.0f", "MXN")])
        .properties(height=240))
    ui.table(mrr, key="mrr_table")
    st.caption("USD subscriptions change MRR with the exchange rate: that shows as expansion or contraction.")

left, right = st.columns(2)
with left:
    st.subheader("By business unit")
    ui.table(query(name, "revenue", scope, filters, ("business_unit",)).sort("net_revenue_mxn", descending=True),
             ["business_unit", "gross_revenue_mxn", "refunds_mxn", "net_revenue_mxn", "failed_charges", "refund_rate"],
             key="revenue_bu")
with right:
    st.subheader("By huntRED Solutions client")
    clients = query(name, "revenue", scope, filters, ("business_unit", "client_id")).filter(
        pl.col("business_unit") == "huntred_solutions")
    names = query(name, "solutions_clients", scope, None).select("client_id", "client_name")
    ui.table(clients.join(names, on="client_id", how="left").with_columns(pl.col("client_name").fill_null(pl.col("client_id")))
             .sort("net_revenue_mxn", descending=True),
             ["client_name", "gross_revenue_mxn", "refunds_mxn", "net_revenue_mxn", "failed_charges"], key="revenue_client")

st.subheader("Reconciliation of charges against invoices")
ui.table(query(name, "reconciliation", scope, filters), key="reconciliation_table")
