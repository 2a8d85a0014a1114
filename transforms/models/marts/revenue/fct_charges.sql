-- One row per Stripe charge: its customer (name, business unit, client), status, the amount in its own currency
-- and in MXN at the charge day's rate, what was refunded, and the local (Mexico City) day. The customer's e-mail
-- is a person's: it is in people.customer_contacts.
select
    ch.charge_id,
    ch.customer_id,
    cu.customer_name,
    ch.invoice_id,
    ch.business_unit,
    ch.client_id,
    ch.status,
    ch.currency,
    ch.amount,
    ch.amount_mxn,
    ch.refunded_mxn,
    ch.failure_code,
    ch.charge_date
from {{ ref('int_stripe__charges_mxn') }} ch
left join {{ ref('stg_stripe__customers') }} cu using (customer_id)
