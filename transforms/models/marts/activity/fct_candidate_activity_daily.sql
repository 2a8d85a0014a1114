{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='activity_date',
    tags=['daily_partitioned'],
) }}
-- What each candidate did each day (Mexico City time), one row per candidate and day with
-- counts per module: the event-sized table of engagement and of churn features.
-- Built by Dagster's daily partitions: a partition run passes window_start/window_end
-- (dbt vars) and rebuilds the days in [window_start - late_days, window_end), so events
-- delivered up to `late_days` days late land in their own day. Without vars, or on the
-- first build, or with --full-refresh, it builds every day.
{%- set late_days = var('late_event_days', 5) %}
with events as (
    select
        e.event_id,
        e.candidate_id,
        e.business_unit,
        e.event_type,
        {{ local_date('e.occurred_at') }} as activity_date
    from {{ ref('stg_ats__events') }} e
    where e.candidate_id is not null
    {%- if is_incremental() and var('window_start', none) is not none %}
      and {{ local_date('e.occurred_at') }} >= date '{{ var("window_start") }}' - to_days({{ late_days }})
      and {{ local_date('e.occurred_at') }} < date '{{ var("window_end") }}'
    {%- endif %}
)

select
    candidate_id || ':' || activity_date as candidate_day_id,
    activity_date,
    candidate_id,
    any_value(business_unit) as business_unit,
    count(*) as events,
    count(*) filter (where event_type like 'chatbot.%') as chatbot_events,
    count(*) filter (where event_type like 'notification.%') as notification_events,
    count(*) filter (where event_type in ('notification.opened', 'notification.clicked')) as notifications_engaged,
    count(*) filter (where event_type like 'gamification.%') as gamification_events,
    count(*) filter (where event_type like 'referral.%') as referral_events,
    count(*) filter (where event_type like 'assessment.%') as assessment_events,
    count(*) filter (where event_type = 'workflow.stage_changed') as workflow_events
from events
group by candidate_id, activity_date
