-- Glassdoor export renamed to the canonical metric names (models/channels.py).
select
    'glassdoor' || ':' || "Campaign Id" || ':' || "Day" as channel_metric_id,
    'glassdoor' as channel,
    "Day" as metric_date,
    "Campaign Id" as campaign_id,
    "Impressions" as impressions,
    "Job Views" as reach,
    "Apply Clicks" as clicks,
    "Applications" as applications,
    "Spend" as spend,
    "Currency" as currency,
    _source_file as delivered_in_file
from {{ source('channels', 'channel_glassdoor') }}
