-- Each funnel stage is a subset of the one before it.
select *
from {{ ref('mart_funnel_cohorts') }}
where not (applied >= screened and screened >= interviewed and interviewed >= offered and offered >= hired)
