"""Client churn: which huntRED subscribers (Solutions clients and every BU's Stripe customers) cancel in 30 days.

Features come from Stripe *events* as received before the cutoff (an object's latest
version could carry its future, e.g. an invoice paid later); the label is a
subscription cancelled in the 30 days after it.
"""
from __future__ import annotations

from datetime import date

import duckdb
import polars as pl

from ml.churn.features import FeatureSet, Target, midnight

FEATURES: dict[str, str] = {
    "tenure_days": "days since the client's first subscription started",
    "mrr_mxn": "monthly recurring revenue last month (MXN)",
    "mrr_change_90d": "MRR last month over MRR three months before (1 = flat)",
    "failed_charges_30d": "card charges declined in the last 30 days",
    "failed_charges_90d": "card charges declined in the last 90 days",
    "uncollectible_invoices_90d": "invoices given up as uncollectible in the last 90 days",
    "paid_invoices_90d": "invoices paid in the last 90 days",
    "refunds_90d": "refunds in the last 90 days",
    "seat_changes_90d": "subscription changes (seats) in the last 90 days",
}

FEATURES_SQL = """
WITH subscriptions AS (
    SELECT customer_id, min(created_at) AS first_started
    FROM staging.stg_stripe__subscriptions
    WHERE created_at < $cutoff::TIMESTAMPTZ AND (canceled_at IS NULL OR canceled_at >= $cutoff::TIMESTAMPTZ)
    GROUP BY customer_id
),
known AS (  -- events of the subscription as received before the cutoff, each tied to its customer; a placement or
            -- consulting invoice, its charges and refunds are another relationship with the client, left out
    SELECT e.event_type, date_diff('day', e.created_at, $cutoff::TIMESTAMPTZ) AS age_days,
           coalesce(ch.customer_id, inv.customer_id, sub.customer_id, rch.customer_id) AS customer_id
    FROM staging.stg_stripe__events e
    LEFT JOIN staging.stg_stripe__charges ch ON e.object_type = 'charge' AND ch.charge_id = e.object_id
    LEFT JOIN staging.stg_stripe__invoices inv ON e.object_type = 'invoice' AND inv.invoice_id = e.object_id
    LEFT JOIN staging.stg_stripe__subscriptions sub ON e.object_type = 'subscription' AND sub.subscription_id = e.object_id
    LEFT JOIN staging.stg_stripe__refunds rf ON e.object_type = 'refund' AND rf.refund_id = e.object_id
    LEFT JOIN staging.stg_stripe__charges rch ON rch.charge_id = rf.charge_id
    LEFT JOIN staging.stg_stripe__invoices paid_inv ON paid_inv.invoice_id = coalesce(ch.invoice_id, rch.invoice_id)
    WHERE coalesce(e.received_at, e.created_at) < $cutoff::TIMESTAMPTZ AND e.created_at < $cutoff::TIMESTAMPTZ
      AND coalesce(inv.revenue_stream, paid_inv.revenue_stream, 'subscription') = 'subscription'
),
activity AS (
    SELECT customer_id,
        count(*) FILTER (event_type = 'charge.failed' AND age_days < 30) AS failed_charges_30d,
        count(*) FILTER (event_type = 'charge.failed' AND age_days < 90) AS failed_charges_90d,
        count(*) FILTER (event_type = 'invoice.marked_uncollectible' AND age_days < 90) AS uncollectible_invoices_90d,
        count(*) FILTER (event_type = 'invoice.paid' AND age_days < 90) AS paid_invoices_90d,
        count(*) FILTER (event_type = 'refund.created' AND age_days < 90) AS refunds_90d,
        count(*) FILTER (event_type = 'customer.subscription.updated' AND age_days < 90) AS seat_changes_90d
    FROM known GROUP BY customer_id
),
mrr AS (  -- months fully before the cutoff's month
    SELECT customer_id,
        arg_max(mrr_mxn, mrr_month) AS mrr_mxn,
        arg_max(mrr_mxn, mrr_month) / nullif(arg_max(mrr_mxn, mrr_month) FILTER (
            mrr_month <= date_trunc('month', $cutoff::DATE) - INTERVAL 3 MONTH), 0) AS mrr_change_90d
    FROM marts.mart_mrr_monthly WHERE mrr_month < date_trunc('month', $cutoff::DATE)
    GROUP BY customer_id
)
SELECT s.customer_id, c.client_id, c.business_unit, $cutoff::DATE AS cutoff,
    date_diff('day', s.first_started, $cutoff::TIMESTAMPTZ) AS tenure_days,
    coalesce(m.mrr_mxn, 0) AS mrr_mxn, coalesce(m.mrr_change_90d, 1.0) AS mrr_change_90d,
    coalesce(a.failed_charges_30d, 0) AS failed_charges_30d, coalesce(a.failed_charges_90d, 0) AS failed_charges_90d,
    coalesce(a.uncollectible_invoices_90d, 0) AS uncollectible_invoices_90d,
    coalesce(a.paid_invoices_90d, 0) AS paid_invoices_90d, coalesce(a.refunds_90d, 0) AS refunds_90d,
    coalesce(a.seat_changes_90d, 0) AS seat_changes_90d
FROM subscriptions s
JOIN staging.stg_stripe__customers c USING (customer_id)
LEFT JOIN activity a USING (customer_id)
LEFT JOIN mrr m USING (customer_id)
ORDER BY s.customer_id
"""

CANCELLED_SQL = """
SELECT DISTINCT customer_id FROM staging.stg_stripe__subscriptions
WHERE canceled_at >= $cutoff::TIMESTAMPTZ AND canceled_at < $cutoff::TIMESTAMPTZ + INTERVAL 30 DAY
"""
CLIENT_CHURN = Target("cancelled", CANCELLED_SQL, positive_if_found=True)


def features_at(con: duckdb.DuckDBPyConnection, cutoff: date) -> pl.DataFrame:
    return con.sql(FEATURES_SQL, params={"cutoff": midnight(cutoff)}).pl().with_columns(pl.col("cutoff").cast(pl.Date))


def data_range(con: duckdb.DuckDBPyConnection) -> tuple[date, date]:
    return con.sql("SELECT min(created_at AT TIME ZONE 'America/Mexico_City')::DATE, "
                   "max(created_at AT TIME ZONE 'America/Mexico_City')::DATE FROM staging.stg_stripe__events").fetchall()[0]


CLIENTS = FeatureSet("client", "customer_id", FEATURES, features_at, data_range)
#: Hundreds of clients and a few dozen cancellations a year: near-stumps, many rounds, strong L2.
PARAMS = {"n_estimators": 300, "learning_rate": 0.02, "num_leaves": 3, "min_child_samples": 10, "reg_lambda": 5.0}
