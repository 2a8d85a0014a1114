-- Stripe charges, latest version. Amounts in major units (Stripe sends minor units).
with latest as ({{ stripe_latest('charge') }})
select
    object_id as charge_id,
    {{ json_text('object_json', 'customer') }} as customer_id,
    {{ json_text('object_json', 'invoice') }} as invoice_id,
    ({{ json_text('object_json', 'amount') }})::bigint / 100.0e0 as amount,
    ({{ json_text('object_json', 'amount_refunded') }})::bigint / 100.0e0 as amount_refunded,
    upper({{ json_text('object_json', 'currency') }}) as currency,
    {{ json_text('object_json', 'status') }} as status,
    ({{ json_text('object_json', 'paid') }})::boolean as is_paid,
    {{ json_text('object_json', 'failure_code') }} as failure_code,
    {{ from_unix(json_text('object_json', 'created')) }} as created_at,
    observed_at as version_observed_at
from latest
