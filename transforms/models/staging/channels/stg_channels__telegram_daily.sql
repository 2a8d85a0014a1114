-- Telegram export renamed to the canonical metric names (models/channels.py).
select
    'telegram' || ':' || "campaign_id" || ':' || "date" as channel_metric_id,
    'telegram' as channel,
    "date" as metric_date,
    "campaign_id" as campaign_id,
    "messages_sent" as sends,
    "messages_delivered" as deliveries,
    "views" as reads,
    "replies" as replies,
    'USD' as currency,  -- the platform bills in one currency only
    _source_file as delivered_in_file
from {{ source('channels', 'channel_telegram') }}
