-- Email export renamed to the canonical metric names (models/channels.py).
select
    'email' || ':' || "campaign_id" || ':' || "date" as channel_metric_id,
    'email' as channel,
    "date" as metric_date,
    "campaign_id" as campaign_id,
    "requests" as sends,
    "delivered" as deliveries,
    "unique_opens" as reads,
    "unique_clicks" as clicks,
    "bounces" as bounces,
    "cost_usd" as spend,
    'USD' as currency,  -- the platform bills in one currency only
    _source_file as delivered_in_file
from {{ source('channels', 'channel_email') }}
