-- One row per placement-fee invoice: the placement its metadata names (application, vacancy), the client and BU of the
-- customer it was sent to, and what was invoiced, paid and refunded, in MXN. Invoiced converts at the invoice day's
-- rate, payments and refunds at their charge day's (int_stripe__charges_mxn). Only succeeded money counts as paid.
with invoices as (
    select * from {{ ref('stg_stripe__invoices') }}
    where revenue_stream = 'placement_fee'
),

payments as (
    select
        invoice_id,
        sum(amount_mxn) as paid_mxn,
        sum(refunded_mxn) as refunded_mxn,
        min(charge_date) as paid_date
    from {{ ref('int_stripe__charges_mxn') }}
    where status = 'succeeded' and invoice_id is not null
    group by invoice_id
)

select
    i.invoice_id,
    i.application_id,
    i.vacancy_id,
    cu.client_id,
    cu.business_unit,
    i.status as invoice_status,
    i.currency,
    {{ local_date('i.created_at') }} as invoice_date,
    i.placement_start_date,
    i.annual_salary_mxn,
    i.fee_share,
    {{ to_mxn('i.amount_due', 'fx.rate_to_mxn') }} as invoiced_mxn,
    coalesce(p.paid_mxn, 0) as paid_mxn,
    coalesce(p.refunded_mxn, 0) as refunded_mxn,
    coalesce(p.paid_mxn, 0) - coalesce(p.refunded_mxn, 0) as net_paid_mxn,
    p.paid_date,
    -- the guarantee: a refund (on the sliding scale) or a free replacement, which the invoice's metadata records
    case when coalesce(p.refunded_mxn, 0) > 0 then 'refunded' else i.guarantee_outcome end as guarantee_outcome
from invoices i
join {{ ref('stg_stripe__customers') }} cu using (customer_id)
left join payments p using (invoice_id)
join {{ ref('int_fx_rates__daily') }} fx
    on fx.currency = i.currency and fx.rate_date = {{ local_date('i.created_at') }}
