-- LinkedIn export renamed to the canonical metric names (models/channels.py).
select
    'linkedin' || ':' || {{ col('Campaign ID') }} || ':' || {{ col('Start Date (in UTC)') }} as channel_metric_id,
    'linkedin' as channel,
    {{ col('Start Date (in UTC)') }} as metric_date,
    {{ col('Campaign ID') }} as campaign_id,
    {{ col('Campaign Name') }} as campaign_name,
    {{ col('Impressions') }} as impressions,
    {{ col('Reach') }} as reach,
    {{ col('Clicks') }} as clicks,
    {{ col('Job Applications') }} as applications,
    {{ col('Total Spent') }} as spend,
    {{ col('Currency') }} as currency,
    _source_file as delivered_in_file
from {{ source('channels', 'channel_linkedin') }}
