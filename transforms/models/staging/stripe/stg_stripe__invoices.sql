-- Stripe invoices, latest version, with what each bills: its revenue stream and, for a placement fee, the placement
-- its metadata names. The stream is the metadata's `kind` (placement_fee, consulting_fee, subscription); an invoice
-- without one is a subscription's when Stripe made it for a subscription, else `other`.
with latest as ({{ stripe_latest('invoice') }})
select
    object_id as invoice_id,
    {{ json_text('object_json', 'customer') }} as customer_id,
    {{ json_text('object_json', 'subscription') }} as subscription_id,
    {{ json_text('object_json', 'number') }} as invoice_number,
    {{ json_text('object_json', 'status') }} as status,
    ({{ json_text('object_json', 'amount_due') }})::bigint / 100.0e0 as amount_due,
    ({{ json_text('object_json', 'amount_paid') }})::bigint / 100.0e0 as amount_paid,
    upper({{ json_text('object_json', 'currency') }}) as currency,
    {{ json_text('object_json', 'billing_reason') }} as billing_reason,
    coalesce(
        {{ json_text('object_json', 'metadata.kind') }},
        case when {{ json_text('object_json', 'subscription') }} is not null or {{ json_text('object_json', 'billing_reason') }} like 'subscription%'
             then 'subscription' end,
        'other'
    ) as revenue_stream,
    {{ json_text('object_json', 'metadata.application_id') }} as application_id,
    {{ json_text('object_json', 'metadata.vacancy_id') }} as vacancy_id,
    {{ json_text('object_json', 'metadata.client_id') }} as metadata_client_id,
    try_cast({{ json_text('object_json', 'metadata.start_date') }} as date) as placement_start_date,
    try_cast({{ json_text('object_json', 'metadata.annual_salary_mxn') }} as double) as annual_salary_mxn,
    try_cast({{ json_text('object_json', 'metadata.fee_share') }} as double) as fee_share,
    {{ json_text('object_json', 'metadata.guarantee') }} as guarantee_outcome,
    {{ from_unix(json_text('object_json', 'period_start')) }} as period_start,
    {{ from_unix(json_text('object_json', 'period_end')) }} as period_end,
    {{ from_unix(json_text('object_json', 'due_date')) }} as due_at,
    {{ from_unix(json_text('object_json', 'created')) }} as created_at,
    observed_at as version_observed_at
from latest
