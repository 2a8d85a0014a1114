-- Stripe refunds, latest version.
with latest as ({{ stripe_latest('refund') }})
select
    object_id as refund_id,
    object_json ->> '$.charge' as charge_id,
    (object_json ->> '$.amount')::bigint / 100.0 as amount,
    upper(object_json ->> '$.currency') as currency,
    object_json ->> '$.status' as status,
    object_json ->> '$.reason' as reason,
    object_json ->> '$.metadata.reason' as metadata_reason,
    {{ from_unix("object_json ->> '$.created'") }} as created_at,
    observed_at as version_observed_at
from latest
