-- Email export renamed to the canonical metric names (models/channels.py).
select
    'email' || ':' || {{ col('campaign_id') }} || ':' || {{ col('date') }} as channel_metric_id,
    'email' as channel,
    {{ col('date') }} as metric_date,
    {{ col('campaign_id') }} as campaign_id,
    {{ col('requests') }} as sends,
    {{ col('delivered') }} as deliveries,
    {{ col('unique_opens') }} as reads,
    {{ col('unique_clicks') }} as clicks,
    {{ col('bounces') }} as bounces,
    {{ col('cost_usd') }} as spend,
    'USD' as currency,  -- the platform bills in one currency only
    _source_file as delivered_in_file
from {{ source('channels', 'channel_email') }}
