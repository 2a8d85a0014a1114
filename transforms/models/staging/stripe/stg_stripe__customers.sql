-- Stripe customers, latest version; metadata maps each to a business unit and (for Solutions) a client.
with latest as ({{ stripe_latest('customer') }})
select
    object_id as customer_id,
    {{ json_text('object_json', 'name') }} as customer_name,
    {{ json_text('object_json', 'email') }} as email,
    upper({{ json_text('object_json', 'currency') }}) as currency,
    coalesce({{ json_text('object_json', 'metadata.business_unit') }}, 'unassigned') as business_unit,
    {{ json_text('object_json', 'metadata.client_id') }} as client_id,
    {{ from_unix(json_text('object_json', 'created')) }} as created_at,
    observed_at as version_observed_at
from latest
