-- Web export renamed to the canonical metric names (models/channels.py).
select
    'web' || ':' || {{ col('Session campaign') }} || ':' || {{ col('Date') }} as channel_metric_id,
    'web' as channel,
    {{ col('Date') }} as metric_date,
    {{ col('Session campaign') }} as campaign_id,
    {{ col('Sessions') }} as impressions,
    {{ col('Total users') }} as reach,
    {{ col('Engaged sessions') }} as clicks,
    {{ col('Key events') }} as applications,
    'MXN' as currency,  -- the platform bills in one currency only
    _source_file as delivered_in_file
from {{ source('channels', 'channel_web') }}
