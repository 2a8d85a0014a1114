-- Daily active candidates per BU: candidates who did something themselves that day
-- (wrote to the chatbot, applied, submitted an assessment, invited a referral, opened or
-- clicked a notification). Weekly actives are in mart_active_candidates_weekly.
select
    {{ local_date('occurred_at') }} || ':' || business_unit as active_day_id,
    {{ local_date('occurred_at') }} as activity_date,
    business_unit,
    count(distinct candidate_id) as active_candidates
from {{ ref('int_candidate_activity') }}
group by all
