-- Indeed export renamed to the canonical metric names (models/channels.py).
select
    'indeed' || ':' || "Sponsored Job Campaign" || ':' || "Date" as channel_metric_id,
    'indeed' as channel,
    "Date" as metric_date,
    "Sponsored Job Campaign" as campaign_id,
    "Impressions" as impressions,
    "Clicks" as clicks,
    "Apply Starts" as apply_starts,
    "Applies" as applications,
    "Spend" as spend,
    "Currency" as currency,
    _source_file as delivered_in_file
from {{ source('channels', 'channel_indeed') }}
