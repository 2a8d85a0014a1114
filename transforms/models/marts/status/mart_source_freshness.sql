-- How recent each source's data is: the newest business timestamp it holds (what the data covers, not when it was
-- loaded). A daily channel export covers its whole (Mexico City) day.
select 'ats_events' as source, max(occurred_at) as newest_record from {{ ref('stg_ats__events') }}
union all
select 'channel_metrics', {{ local_day_end('max(metric_date)') }}
from {{ ref('int_channel_metrics__unified_daily') }}
union all
select 'stripe', max(created_at) from {{ ref('stg_stripe__events') }}
union all
select 'scraped_candidates', max(created_on) from {{ ref('stg_scraped__candidates') }}
