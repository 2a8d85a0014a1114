-- Weekly active candidates per BU (distinct over the week, so not the sum of the days).
select
    date_trunc('week', {{ local_date('occurred_at') }})::date || ':' || business_unit as active_week_id,
    date_trunc('week', {{ local_date('occurred_at') }})::date as activity_week,
    business_unit,
    count(distinct candidate_id) as active_candidates
from {{ ref('int_candidate_activity') }}
group by all
