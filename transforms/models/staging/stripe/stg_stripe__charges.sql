-- Stripe charges, latest version. Amounts in major units (Stripe sends minor units).
with latest as ({{ stripe_latest('charge') }})
select
    object_id as charge_id,
    object_json ->> '$.customer' as customer_id,
    object_json ->> '$.invoice' as invoice_id,
    (object_json ->> '$.amount')::bigint / 100.0 as amount,
    (object_json ->> '$.amount_refunded')::bigint / 100.0 as amount_refunded,
    upper(object_json ->> '$.currency') as currency,
    object_json ->> '$.status' as status,
    (object_json ->> '$.paid')::boolean as is_paid,
    object_json ->> '$.failure_code' as failure_code,
    {{ from_unix("object_json ->> '$.created'") }} as created_at,
    observed_at as version_observed_at
from latest
