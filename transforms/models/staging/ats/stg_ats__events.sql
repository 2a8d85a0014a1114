-- Every ATS event's envelope (one row per event): the base of activity metrics.
select
    event_id,
    event_type,
    module,
    occurred_at,
    business_unit,
    candidate_id,
    campaign_id,
    _source_file as delivered_in_file,
    _ingested_at as ingested_at,
    -- a late delivery landed in a file dated after the event's own day
    greatest(0, date_diff('day', occurred_at::date,
        coalesce(try_strptime(regexp_extract(_source_file, '(\d{4}-\d{2}-\d{2})', 1), '%Y-%m-%d')::date, occurred_at::date)
    )) as delivery_lag_days
from {{ source('ats', 'ats_events') }}
