-- One row per Stripe invoice with its customer (name, business unit, client; the e-mail is in people.customer_contacts); amounts in the invoice's
-- currency, major units. Invoices of a customer never delivered are left out (their owner is unknown).
select
    i.invoice_id,
    i.invoice_number,
    i.customer_id,
    c.customer_name,
    c.business_unit,
    c.client_id,
    i.subscription_id,
    i.status,
    i.billing_reason,
    i.currency,
    i.amount_due,
    i.amount_paid,
    i.period_start,
    i.period_end,
    i.created_at
from {{ ref('stg_stripe__invoices') }} i
join {{ ref('stg_stripe__customers') }} c using (customer_id)
