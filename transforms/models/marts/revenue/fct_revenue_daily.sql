-- Stripe money per day, BU, customer (with its client) and revenue stream (placement fees, subscriptions,
-- consulting fees, other), in MXN: gross revenue = succeeded charges, refunds of those charges, net = gross - refunds,
-- and the failed charge attempts.
with daily as (
    select
        charge_date as revenue_date,
        business_unit,
        customer_id,
        revenue_stream,
        {{ any_of('client_id') }} as client_id,
        coalesce(sum(amount_mxn) filter (where status = 'succeeded'), 0) as gross_revenue_mxn,
        coalesce(sum(refunded_mxn) filter (where status = 'succeeded'), 0) as refunds_mxn,
        count(*) filter (where status = 'succeeded') as succeeded_charges,
        count(*) filter (where status = 'failed') as failed_charges,
        coalesce(sum(amount_mxn) filter (where status = 'failed'), 0) as failed_amount_mxn
    from {{ ref('int_stripe__charges_mxn') }}
    group by charge_date, business_unit, customer_id, revenue_stream
)

select
    revenue_date || ':' || customer_id || ':' || revenue_stream as revenue_day_id,
    revenue_date,
    {{ month_start('revenue_date') }} as revenue_month,
    business_unit,
    customer_id,
    client_id,
    revenue_stream,
    gross_revenue_mxn,
    refunds_mxn,
    gross_revenue_mxn - refunds_mxn as net_revenue_mxn,
    succeeded_charges,
    failed_charges,
    failed_amount_mxn,
    {{ metrics('revenue') }}
from daily
