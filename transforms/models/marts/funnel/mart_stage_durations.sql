-- Median and 90th percentile of days in each completed stage (and of time to hire),
-- per BU and source channel, and for all channels ('all').
with durations as (
    select * from {{ ref('fct_stage_durations') }}
)

select
    business_unit || ':' || coalesce(source_channel, 'all') || ':' || stage as stage_duration_summary_id,
    business_unit,
    coalesce(source_channel, 'all') as source_channel,
    stage,
    count(*) as completed,
    round(quantile_cont(days_in_stage, 0.5), 2) as median_days,
    round(quantile_cont(days_in_stage, 0.9), 2) as p90_days
from durations
group by grouping sets ((business_unit, source_channel, stage), (business_unit, stage))
