-- Monster export renamed to the canonical metric names (models/channels.py).
select
    'monster' || ':' || "campaign_ref" || ':' || "report_date" as channel_metric_id,
    'monster' as channel,
    "report_date" as metric_date,
    "campaign_ref" as campaign_id,
    "impressions" as impressions,
    "clicks" as clicks,
    "applies" as applications,
    "cost" as spend,
    "currency_code" as currency,
    _source_file as delivered_in_file
from {{ source('channels', 'channel_monster') }}
