-- Chatbot conversations that ended each day per BU and channel, with their messages and outcome.
with ended as (
    select e.conversation_id, e.business_unit, e.outcome, e.message_count, e.occurred_at,
           s.channel, s.language
    from {{ ref('stg_ats__conversation_events') }} e
    left join {{ ref('stg_ats__conversation_events') }} s
        on s.conversation_id = e.conversation_id and s.conversation_event = 'started'
    where e.conversation_event = 'ended'
),

daily as (
    select
        {{ local_date('occurred_at') }} as activity_date,
        business_unit,
        coalesce(channel, 'unknown') as channel,
        count(*) as conversations,
        sum(message_count) as messages,
        count(*) filter (where outcome = 'resolved') as resolved,
        count(*) filter (where outcome = 'handed_to_human') as handed_to_human,
        count(*) filter (where outcome = 'abandoned') as abandoned
    from ended
    group by all
)

select activity_date || ':' || business_unit || ':' || channel as chatbot_day_id, *, {{ metrics('chatbot') }}
from daily
