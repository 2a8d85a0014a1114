-- Time spent in each stage, completed stages only (the application moved on, to the next
-- stage or to rejected), plus the whole application-to-hire span as stage 'time_to_hire'; client_id is the
-- campaign's client (what a client's scope filters on).
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
    s.application_id || ':' || s.stage as stage_duration_id,
    s.application_id,
    s.business_unit,
    s.source_channel,
    s.campaign_id,
    c.client_id,
    s.cohort_month,
    s.stage,
    s.entered_at,
    s.left_at,
    {{ days_elapsed('s.entered_at', 's.left_at') }} as days_in_stage
from spans s
left join {{ ref('dim_campaigns') }} c using (campaign_id)
where s.left_at is not null and s.left_at >= s.entered_at
