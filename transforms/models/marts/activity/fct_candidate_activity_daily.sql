{{ config(materialized='incremental', tags=['daily_partitioned'], **incremental_by_day('activity_date')) }}
-- What each candidate did themselves each day (Mexico City time): one row per candidate and active day, `events`
-- their own acts (int_candidate_activity, the one definition of activity: a candidate has a row on exactly the
-- days the engagement marts count them active), split by module. Things done to them (notifications delivered,
-- gamification awarded, recruiters' stage moves, the bot's messages) are not counted.
-- Built by Dagster's daily partitions: a partition run passes window_start/window_end
-- (dbt vars) and rebuilds the days in [window_start - late_days, window_end), so events
-- delivered up to `late_days` days late land in their own day. Without vars, or on the
-- first build, or with --full-refresh, it builds every day.
{%- set late_days = var('late_event_days', 5) %}
with activity as (
    select
        a.event_id,
        a.candidate_id,
        a.business_unit,
        a.event_type,
        {{ local_date('a.occurred_at') }} as activity_date
    from {{ ref('int_candidate_activity') }} a
    {%- if is_incremental() and var('window_start', none) is not none %}
    where {{ local_date('a.occurred_at') }} >= {{ add_days("date '" ~ var('window_start') ~ "'", -late_days) }}
      and {{ local_date('a.occurred_at') }} < date '{{ var('window_end') }}'
    {%- endif %}
)

select
    candidate_id || ':' || activity_date as candidate_day_id,
    activity_date,
    candidate_id,
    {{ any_of('business_unit') }} as business_unit,
    count(*) as events,
    count(*) filter (where event_type like 'chatbot.%') as chatbot_events,
    count(*) filter (where event_type in ('notification.opened', 'notification.clicked')) as notifications_engaged,
    count(*) filter (where event_type = 'workflow.stage_changed') as applications,
    count(*) filter (where event_type = 'assessment.submitted') as assessments_submitted,
    count(*) filter (where event_type = 'referral.invited') as referrals_invited
from activity
group by candidate_id, activity_date
