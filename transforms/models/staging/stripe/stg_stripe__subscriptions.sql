-- Stripe subscriptions, latest version; monthly amount = unit amount x quantity of the first item.
with latest as ({{ stripe_latest('subscription') }})
select
    object_id as subscription_id,
    object_json ->> '$.customer' as customer_id,
    object_json ->> '$.status' as status,
    upper(object_json ->> '$.currency') as currency,
    (object_json ->> '$.items.data[0].price.unit_amount')::bigint / 100.0 as unit_amount,
    (object_json ->> '$.items.data[0].quantity')::integer as quantity,
    object_json ->> '$.items.data[0].price.recurring.interval' as billing_interval,
    {{ from_unix("object_json ->> '$.created'") }} as created_at,
    {{ from_unix("object_json ->> '$.canceled_at'") }} as canceled_at,
    observed_at as version_observed_at
from latest
