-- Content published by a campaign on a channel during a phase.
select
    event_id,
    {{ json_text('event_json', 'payload.post_id') }} as post_id,
    {{ json_text('event_json', 'payload.campaign_id') }} as campaign_id,
    business_unit,
    {{ json_text('event_json', 'payload.channel') }} as channel,
    {{ json_text('event_json', 'payload.phase') }} as phase,
    {{ json_text('event_json', 'payload.language') }} as language,
    occurred_at as published_at
from ({{ ats_events(['publish.post_published']) }})
