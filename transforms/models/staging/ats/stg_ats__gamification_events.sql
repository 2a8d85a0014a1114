-- Gamification: points awarded, achievements unlocked, levels reached (seed tables achievements, levels).
select
    event_id,
    candidate_id,
    business_unit,
    replace(event_type, 'gamification.', '') as gamification_event,
    ({{ json_text('event_json', 'payload.points') }})::integer as points,
    {{ json_text('event_json', 'payload.action') }} as action,
    {{ json_text('event_json', 'payload.achievement_type') }} as achievement_type,
    ({{ json_text('event_json', 'payload.level') }})::integer as level,
    {{ json_text('event_json', 'payload.level_name') }} as level_name,
    occurred_at
from ({{ ats_events(['gamification.points_awarded', 'gamification.achievement_unlocked', 'gamification.level_reached']) }})
