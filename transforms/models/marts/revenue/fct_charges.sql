-- One row per Stripe charge: its customer (name, e-mail, business unit, client), status, the amount in its own
-- currency and in MXN at the charge day's rate, what was refunded, and the local (Mexico City) day. The e-mail
-- is a person's: readers show it pseudonymized unless the caller may see it (access.pii).
select
    ch.charge_id,
    ch.customer_id,
    cu.customer_name,
    cu.email,
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
