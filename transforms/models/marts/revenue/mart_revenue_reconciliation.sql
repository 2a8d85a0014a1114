-- Each invoice against the charges that paid it: an invoice marked paid must have
-- succeeded charges of the same amount; a difference or a charge without its invoice
-- is flagged for finance.
with charges as (
    select invoice_id,
           sum(amount) filter (where status = 'succeeded') as charged,
           count(*) filter (where status = 'succeeded') as succeeded_charges,
           count(*) filter (where status = 'failed') as failed_charges
    from {{ ref('stg_stripe__charges') }}
    where invoice_id is not null
    group by invoice_id
),

invoices as (
    select i.*, cu.business_unit, cu.client_id
    from {{ ref('stg_stripe__invoices') }} i
    left join {{ ref('stg_stripe__customers') }} cu using (customer_id)
)

select
    i.invoice_id,
    i.customer_id,
    i.business_unit,
    i.client_id,
    i.invoice_number,
    i.status as invoice_status,
    i.currency,
    {{ local_date('i.created_at') }} as invoice_date,
    coalesce(i.amount_paid, 0) as amount_paid,
    coalesce(c.charged, 0) as amount_charged,
    coalesce(c.charged, 0) - coalesce(i.amount_paid, 0) as difference,
    coalesce(c.succeeded_charges, 0) as succeeded_charges,
    coalesce(c.failed_charges, 0) as failed_charges,
    case
        when i.status = 'paid' and coalesce(c.charged, 0) = i.amount_paid then 'matched'
        when i.status = 'paid' and c.charged is null then 'paid_without_charge'
        when i.status = 'paid' then 'amount_mismatch'
        when coalesce(c.charged, 0) > 0 then 'charged_but_not_paid'
        else 'unpaid'
    end as reconciliation_status
from invoices i
left join charges c using (invoice_id)
union all
-- charges pointing at an invoice we never received
select c.invoice_id, null, null, null, null, 'missing', null, null, 0, c.charged, c.charged,
       c.succeeded_charges, c.failed_charges, 'charge_without_invoice'
from charges c
where c.invoice_id not in (select invoice_id from invoices)
