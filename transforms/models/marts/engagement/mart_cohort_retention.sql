-- Retention by signup month: a candidate's cohort is the month of their first own activity;
-- for each later month, how many of the cohort were active (month 0 is the signup month).
with activity as (
    select candidate_id, {{ any_of('business_unit') }} as business_unit,
           {{ month_start(local_date('occurred_at')) }} as activity_month
    from {{ ref('int_candidate_activity') }}
    group by candidate_id, activity_month
),

cohorts as (
    select candidate_id, min(activity_month) as cohort_month from activity group by candidate_id
),

sizes as (
    select c.cohort_month, a.business_unit, count(*) as cohort_size
    from cohorts c join activity a on a.candidate_id = c.candidate_id and a.activity_month = c.cohort_month
    group by all
),

active as (
    select c.cohort_month, a.business_unit,
           {{ months_between_firsts('c.cohort_month', 'a.activity_month') }} as months_since_signup,
           count(*) as active_candidates
    from activity a join cohorts c using (candidate_id)
    group by all
)

select
    a.cohort_month || ':' || a.business_unit || ':' || a.months_since_signup as retention_cell_id,
    a.cohort_month,
    a.business_unit,
    a.months_since_signup,
    s.cohort_size,
    a.active_candidates,
    {{ metrics('retention') }}
from active a
join sizes s using (cohort_month, business_unit)
