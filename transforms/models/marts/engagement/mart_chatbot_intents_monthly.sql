-- Intent mix of what candidates wrote to the chatbot, per month and BU, with the classifier's mean confidence.
select
    {{ month_start(local_date('sent_at')) }} || ':' || business_unit || ':' || intent as intent_month_id,
    {{ month_start(local_date('sent_at')) }} as activity_month,
    business_unit,
    intent,
    count(*) as messages,
    {{ rounded('avg(intent_score)', 4) }} as mean_intent_score
from {{ ref('stg_ats__chat_messages') }}
where sender = 'candidate'
group by all
