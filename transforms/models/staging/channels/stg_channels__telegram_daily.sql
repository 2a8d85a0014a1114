-- Telegram export renamed to the canonical metric names (models/channels.py).
select
    'telegram' || ':' || {{ col('campaign_id') }} || ':' || {{ col('date') }} as channel_metric_id,
    'telegram' as channel,
    {{ col('date') }} as metric_date,
    {{ col('campaign_id') }} as campaign_id,
    {{ col('messages_sent') }} as sends,
    {{ col('messages_delivered') }} as deliveries,
    {{ col('views') }} as reads,
    {{ col('replies') }} as replies,
    'USD' as currency,  -- the platform bills in one currency only
    _source_file as delivered_in_file
from {{ source('channels', 'channel_telegram') }}
