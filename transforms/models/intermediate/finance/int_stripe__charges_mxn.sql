-- Charges with their customer's BU and client and the revenue stream of the invoice they pay (a charge of no invoice
-- is `other`), amounts converted to MXN at the charge day's rate.
select
    ch.charge_id,
    ch.customer_id,
    ch.invoice_id,
    coalesce(inv.revenue_stream, 'other') as revenue_stream,
    cu.business_unit,
    cu.client_id,
    ch.status,
    ch.currency,
    {{ local_date('ch.created_at') }} as charge_date,
    ch.amount,
    {{ to_mxn('ch.amount', 'fx.rate_to_mxn') }} as amount_mxn,
    {{ to_mxn('coalesce(rf.refunded, 0)', 'fx.rate_to_mxn') }} as refunded_mxn,
    ch.failure_code
from {{ ref('stg_stripe__charges') }} ch
left join {{ ref('stg_stripe__customers') }} cu using (customer_id)
left join {{ ref('stg_stripe__invoices') }} inv using (invoice_id)
left join (
    select charge_id, sum(amount) as refunded
    from {{ ref('stg_stripe__refunds') }}
    where status = 'succeeded'
    group by charge_id
) rf using (charge_id)
join {{ ref('int_fx_rates__daily') }} fx
    on fx.currency = ch.currency and fx.rate_date = {{ local_date('ch.created_at') }}
