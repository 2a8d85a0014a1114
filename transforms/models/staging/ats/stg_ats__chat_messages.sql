-- Chatbot messages with the classified intent and its confidence (seed table messages).
select
    event_id,
    {{ json_text('event_json', 'payload.message_id') }} as message_id,
    {{ json_text('event_json', 'payload.conversation_id') }} as conversation_id,
    candidate_id,
    business_unit,
    {{ json_text('event_json', 'payload.sender') }} as sender,
    {{ json_text('event_json', 'payload.intent') }} as intent,
    ({{ json_text('event_json', 'payload.score') }})::double as intent_score,
    {{ json_text('event_json', 'payload.language') }} as language,
    {{ json_text('event_json', 'payload.content') }} as content,
    occurred_at as sent_at
from ({{ ats_events(['chatbot.message']) }})
