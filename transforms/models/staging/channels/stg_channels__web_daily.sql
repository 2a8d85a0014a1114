-- Web export renamed to the canonical metric names (models/channels.py).
select
    'web' || ':' || "Session campaign" || ':' || "Date" as channel_metric_id,
    'web' as channel,
    "Date" as metric_date,
    "Session campaign" as campaign_id,
    "Sessions" as impressions,
    "Total users" as reach,
    "Engaged sessions" as clicks,
    "Key events" as applications,
    'MXN' as currency,  -- the platform bills in one currency only
    _source_file as delivered_in_file
from {{ source('channels', 'channel_web') }}
