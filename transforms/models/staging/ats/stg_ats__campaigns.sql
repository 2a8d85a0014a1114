-- One row per campaign, from its publish.campaign_created event.
with created as ({{ ats_events(['publish.campaign_created']) }}),

campaigns as (
select
    {{ json_text('event_json', 'payload.campaign_id') }} as campaign_id,
    {{ json_text('event_json', 'payload.name') }} as campaign_name,
    business_unit,
    {{ json_text('event_json', 'payload.objective') }} as objective,
    ({{ json_text('event_json', 'payload.budget') }})::decimal(18, 2) as budget,
    {{ json_text('event_json', 'payload.currency') }} as budget_currency,
    {{ json_text_array('event_json', 'payload.channels') }} as channels,
    {{ json_text('event_json', 'payload.client_id') }} as client_id,
    occurred_at as created_at,
    ({{ json_text('event_json', 'payload.phases[0].start_date') }})::date as start_date,
    ({{ json_last_text('event_json', 'payload.phases', 'end_date') }})::date as end_date,
    -- a campaign re-announced keeps its first definition
    row_number() over (partition by {{ json_text('event_json', 'payload.campaign_id') }} order by occurred_at, event_id) as announced
from created
)

select
    campaign_id, campaign_name, business_unit, objective, budget, budget_currency, channels, client_id, created_at,
    start_date, end_date
from campaigns
where announced = 1
