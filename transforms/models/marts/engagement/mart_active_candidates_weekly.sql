-- Weekly active candidates per BU (distinct over the week, so not the sum of the days).
select
    {{ week_start(local_date('occurred_at')) }} || ':' || business_unit as active_week_id,
    {{ week_start(local_date('occurred_at')) }} as activity_week,
    business_unit,
    count(distinct candidate_id) as active_candidates
from {{ ref('int_candidate_activity') }}
group by all
