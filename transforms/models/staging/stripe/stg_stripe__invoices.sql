-- Stripe invoices, latest version.
with latest as ({{ stripe_latest('invoice') }})
select
    object_id as invoice_id,
    object_json ->> '$.customer' as customer_id,
    object_json ->> '$.subscription' as subscription_id,
    object_json ->> '$.number' as invoice_number,
    object_json ->> '$.status' as status,
    (object_json ->> '$.amount_due')::bigint / 100.0 as amount_due,
    (object_json ->> '$.amount_paid')::bigint / 100.0 as amount_paid,
    upper(object_json ->> '$.currency') as currency,
    object_json ->> '$.billing_reason' as billing_reason,
    {{ from_unix("object_json ->> '$.period_start'") }} as period_start,
    {{ from_unix("object_json ->> '$.period_end'") }} as period_end,
    {{ from_unix("object_json ->> '$.created'") }} as created_at,
    observed_at as version_observed_at
from latest
