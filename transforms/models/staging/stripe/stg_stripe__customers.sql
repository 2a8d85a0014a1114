-- Stripe customers, latest version; metadata maps each to a business unit and (for Solutions) a client.
with latest as ({{ stripe_latest('customer') }})
select
    object_id as customer_id,
    object_json ->> '$.name' as customer_name,
    object_json ->> '$.email' as email,
    upper(object_json ->> '$.currency') as currency,
    coalesce(object_json ->> '$.metadata.business_unit', 'unassigned') as business_unit,
    object_json ->> '$.metadata.client_id' as client_id,
    {{ from_unix("object_json ->> '$.created'") }} as created_at,
    observed_at as version_observed_at
from latest
