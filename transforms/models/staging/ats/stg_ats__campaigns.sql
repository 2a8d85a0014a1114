-- One row per campaign, from its publish.campaign_created event.
with created as ({{ ats_events(['publish.campaign_created']) }})
select
    {{ json_text('event_json', 'payload.campaign_id') }} as campaign_id,
    {{ json_text('event_json', 'payload.name') }} as campaign_name,
    business_unit,
    {{ json_text('event_json', 'payload.objective') }} as objective,
    ({{ json_text('event_json', 'payload.budget') }})::decimal(18, 2) as budget,
    {{ json_text('event_json', 'payload.currency') }} as budget_currency,
    from_json(event_json -> '$.payload.channels', '["VARCHAR"]') as channels,
    {{ json_text('event_json', 'payload.client_id') }} as client_id,
    occurred_at as created_at,
    (event_json ->> '$.payload.phases[0].start_date')::date as start_date,
    (event_json ->> '$.payload.phases[-1].end_date')::date as end_date
from created
-- a campaign re-announced keeps its first definition
qualify row_number() over (partition by campaign_id order by occurred_at, event_id) = 1
