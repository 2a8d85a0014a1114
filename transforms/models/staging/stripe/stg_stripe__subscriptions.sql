-- Stripe subscriptions, latest version; monthly amount = unit amount x quantity of the first item.
with latest as ({{ stripe_latest('subscription') }})
select
    object_id as subscription_id,
    {{ json_text('object_json', 'customer') }} as customer_id,
    {{ json_text('object_json', 'status') }} as status,
    upper({{ json_text('object_json', 'currency') }}) as currency,
    ({{ json_text('object_json', 'items.data[0].price.unit_amount') }})::bigint / 100.0e0 as unit_amount,
    ({{ json_text('object_json', 'items.data[0].quantity') }})::integer as quantity,
    {{ json_text('object_json', 'items.data[0].price.recurring.interval') }} as billing_interval,
    {{ from_unix(json_text('object_json', 'created')) }} as created_at,
    {{ from_unix(json_text('object_json', 'canceled_at')) }} as canceled_at,
    observed_at as version_observed_at
from latest
