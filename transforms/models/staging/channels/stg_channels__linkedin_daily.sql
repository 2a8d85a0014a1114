-- LinkedIn export renamed to the canonical metric names (models/channels.py).
select
    'linkedin' || ':' || "Campaign ID" || ':' || "Start Date (in UTC)" as channel_metric_id,
    'linkedin' as channel,
    "Start Date (in UTC)" as metric_date,
    "Campaign ID" as campaign_id,
    "Campaign Name" as campaign_name,
    "Impressions" as impressions,
    "Reach" as reach,
    "Clicks" as clicks,
    "Job Applications" as applications,
    "Total Spent" as spend,
    "Currency" as currency,
    _source_file as delivered_in_file
from {{ source('channels', 'channel_linkedin') }}
