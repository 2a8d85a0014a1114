-- Glassdoor export renamed to the canonical metric names (models/channels.py).
select
    'glassdoor' || ':' || {{ col('Campaign Id') }} || ':' || {{ col('Day') }} as channel_metric_id,
    'glassdoor' as channel,
    {{ col('Day') }} as metric_date,
    {{ col('Campaign Id') }} as campaign_id,
    {{ col('Impressions') }} as impressions,
    {{ col('Job Views') }} as reach,
    {{ col('Apply Clicks') }} as clicks,
    {{ col('Applications') }} as applications,
    {{ col('Spend') }} as spend,
    {{ col('Currency') }} as currency,
    _source_file as delivered_in_file
from {{ source('channels', 'channel_glassdoor') }}
