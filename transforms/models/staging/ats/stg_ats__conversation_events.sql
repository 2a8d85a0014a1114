-- Chatbot conversations starting and ending (seed table conversations: channel, started_at, ended_at, status).
select
    event_id,
    {{ json_text('event_json', 'payload.conversation_id') }} as conversation_id,
    candidate_id,
    business_unit,
    replace(event_type, 'chatbot.conversation_', '') as conversation_event,
    {{ json_text('event_json', 'payload.channel') }} as channel,
    {{ json_text('event_json', 'payload.language') }} as language,
    {{ json_text('event_json', 'payload.outcome') }} as outcome,
    ({{ json_text('event_json', 'payload.message_count') }})::integer as message_count,
    occurred_at
from ({{ ats_events(['chatbot.conversation_started', 'chatbot.conversation_ended']) }})
