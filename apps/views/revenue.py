"""Revenue from Stripe: daily revenue, refunds and failed charges, revenue by stream, placement fees, the MRR bridge,
per BU and per client, reconciliation."""
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

st.subheader("How huntRED earns")
streams = query(name, "revenue", scope, filters, ("revenue_stream",))
if not ui.empty_notice(streams, "charges"):
    ui.table(streams.sort("net_revenue_mxn", descending=True),
             ["revenue_stream", "gross_revenue_mxn", "refunds_mxn", "net_revenue_mxn", "succeeded_charges", "refund_rate"],
             key="revenue_streams")
    st.caption("Placement fees: a share of each hire's first-year salary, invoiced to the client when the hire starts; "
               "campaign ROI counts only these, once paid. Subscriptions: monthly platform seats. Consulting fees: "
               "huntRED Solutions' projects.")

st.subheader("Placement fees")
placements = query(name, "placements", scope, filters)
if not ui.empty_notice(placements, "placement invoices"):
    invoiced, paid = placements["invoiced_mxn"].sum(), placements["net_paid_mxn"].sum()
    open_invoices = placements.filter(pl.col("invoice_status") == "open")
    c = st.columns(4)
    c[0].metric("Invoiced", ui.format_value(invoiced, "currency"), border=True, help="Placement fees invoiced in the period.")
    c[1].metric("Paid, net of refunds", ui.format_value(paid, "currency"), border=True,
                help="What clients paid for them, less refunds under the 90-day guarantee.")
    c[2].metric("Open invoices", f"{open_invoices.height:,}", border=True,
                help=f"Not paid yet: {ui.format_value(open_invoices['invoiced_mxn'].sum(), 'currency')}.")
    c[3].metric("Guarantee used", f"{placements['guarantee_outcome'].is_not_null().sum():,}", border=True,
                help="Hires who left within 90 days: replaced free of charge or refunded on a sliding scale.")
    ui.table(placements, ["invoice_number", "business_unit", "client_name", "vacancy_title", "hired_date", "invoice_date",
                          "invoice_status", "invoiced_mxn", "paid_mxn", "refunded_mxn", "paid_date", "guarantee_outcome"],
             key="placements_table")

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
