-- Stripe refunds, latest version.
with latest as ({{ stripe_latest('refund') }})
select
    object_id as refund_id,
    {{ json_text('object_json', 'charge') }} as charge_id,
    ({{ json_text('object_json', 'amount') }})::bigint / 100.0e0 as amount,
    upper({{ json_text('object_json', 'currency') }}) as currency,
    {{ json_text('object_json', 'status') }} as status,
    {{ json_text('object_json', 'reason') }} as reason,
    {{ json_text('object_json', 'metadata.reason') }} as metadata_reason,
    {{ from_unix(json_text('object_json', 'created')) }} as created_at,
    observed_at as version_observed_at
from latest
