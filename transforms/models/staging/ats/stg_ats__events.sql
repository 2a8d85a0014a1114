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
    greatest(0, {{ days_between('cast(occurred_at as date)',
        "coalesce(" ~ try_date("regexp_extract(_source_file, '([0-9]{4}-[0-9]{2}-[0-9]{2})', 1)") ~ ", cast(occurred_at as date))") }}
    ) as delivery_lag_days
from {{ source('ats', 'ats_events') }}
