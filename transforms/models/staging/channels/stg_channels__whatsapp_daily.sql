-- WhatsApp export renamed to the canonical metric names (models/channels.py).
select
    'whatsapp' || ':' || {{ col('campaign_id') }} || ':' || {{ col('date') }} as channel_metric_id,
    'whatsapp' as channel,
    {{ col('date') }} as metric_date,
    {{ col('campaign_id') }} as campaign_id,
    {{ col('sent') }} as sends,
    {{ col('delivered') }} as deliveries,
    {{ col('read') }} as reads,
    {{ col('replied') }} as replies,
    {{ col('cost') }} as spend,
    {{ col('currency') }} as currency,
    _source_file as delivered_in_file
from {{ source('channels', 'channel_whatsapp') }}
