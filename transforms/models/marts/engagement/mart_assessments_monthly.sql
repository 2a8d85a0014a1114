-- Assessments per month (of creation), BU and type: created, submitted, scored and their scores.
with assessments as (
    select
        assessment_id,
        {{ any_of('business_unit') }} as business_unit,
        {{ any_of('assessment_type') }} as assessment_type,
        min(occurred_at) filter (where status = 'created') as created_at,
        bool_or(status = 'submitted') as is_submitted,
        max(score) filter (where status = 'scored') as score
    from {{ ref('stg_ats__assessment_events') }}
    group by assessment_id
),

monthly as (
    select
        {{ month_start(local_date('created_at')) }} as activity_month,
        business_unit,
        assessment_type,
        count(*) as created,
        count(*) filter (where is_submitted) as submitted,
        count(score) as scored,
        coalesce(sum(score), 0) as score_sum
    from assessments
    where created_at is not null
    group by all
)

select activity_month || ':' || business_unit || ':' || assessment_type as assessment_month_id, *,
       {{ metrics('assessments') }}
from monthly
