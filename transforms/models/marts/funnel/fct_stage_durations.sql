-- Time spent in each stage, completed stages only (the application moved on, to the next
-- stage or to rejected), plus the whole application-to-hire span as stage 'time_to_hire'.
with apps as (
    select * from {{ ref('fct_applications') }}
),

spans as (
    select application_id, business_unit, source_channel, campaign_id, cohort_month,
           'applied' as stage, applied_at as entered_at, coalesce(screened_at, rejected_at) as left_at from apps
    union all
    select application_id, business_unit, source_channel, campaign_id, cohort_month,
           'screened', screened_at, coalesce(interviewed_at, rejected_at) from apps where screened_at is not null
    union all
    select application_id, business_unit, source_channel, campaign_id, cohort_month,
           'interviewed', interviewed_at, coalesce(offered_at, rejected_at) from apps where interviewed_at is not null
    union all
    select application_id, business_unit, source_channel, campaign_id, cohort_month,
           'offered', offered_at, coalesce(hired_at, rejected_at) from apps where offered_at is not null
    union all
    select application_id, business_unit, source_channel, campaign_id, cohort_month,
           'time_to_hire', applied_at, hired_at from apps where hired_at is not null
)

select
    application_id || ':' || stage as stage_duration_id,
    application_id,
    business_unit,
    source_channel,
    campaign_id,
    cohort_month,
    stage,
    entered_at,
    left_at,
    date_diff('second', entered_at, left_at) / 86400.0 as days_in_stage
from spans
where left_at is not null and left_at >= entered_at
