-- Intent mix of what candidates wrote to the chatbot, per month and BU, with the classifier's mean confidence.
select
    date_trunc('month', {{ local_date('sent_at') }})::date || ':' || business_unit || ':' || intent as intent_month_id,
    date_trunc('month', {{ local_date('sent_at') }})::date as activity_month,
    business_unit,
    intent,
    count(*) as messages,
    round(avg(intent_score), 4) as mean_intent_score
from {{ ref('stg_ats__chat_messages') }}
where sender = 'candidate'
group by all
