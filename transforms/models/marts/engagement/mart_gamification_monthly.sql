-- Gamification per month and BU: points awarded (and to how many candidates), achievements, levels reached.
select
    {{ month_start(local_date('occurred_at')) }} || ':' || business_unit as gamification_month_id,
    {{ month_start(local_date('occurred_at')) }} as activity_month,
    business_unit,
    coalesce(sum(points) filter (where gamification_event = 'points_awarded'), 0) as points_awarded,
    count(distinct candidate_id) filter (where gamification_event = 'points_awarded') as candidates_awarded,
    count(*) filter (where gamification_event = 'achievement_unlocked') as achievements_unlocked,
    count(*) filter (where gamification_event = 'level_reached') as levels_reached
from {{ ref('stg_ats__gamification_events') }}
group by all
