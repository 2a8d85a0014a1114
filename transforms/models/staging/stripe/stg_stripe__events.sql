-- Verified Stripe webhook events (bad signatures never reach raw).
select
    event_id,
    event_type,
    created_at,
    object_id,
    object_type,
    received_at,
    {{ json_text('event_json', 'api_version') }} as api_version
from {{ source('stripe', 'stripe_events') }}
