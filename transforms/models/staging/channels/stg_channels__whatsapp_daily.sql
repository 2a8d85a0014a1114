-- WhatsApp export renamed to the canonical metric names (models/channels.py).
select
    'whatsapp' || ':' || "campaign_id" || ':' || "date" as channel_metric_id,
    'whatsapp' as channel,
    "date" as metric_date,
    "campaign_id" as campaign_id,
    "sent" as sends,
    "delivered" as deliveries,
    "read" as reads,
    "replied" as replies,
    "cost" as spend,
    "currency" as currency,
    _source_file as delivered_in_file
from {{ source('channels', 'channel_whatsapp') }}
