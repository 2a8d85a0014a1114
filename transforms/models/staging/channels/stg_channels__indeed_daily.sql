-- Indeed export renamed to the canonical metric names (models/channels.py).
select
    'indeed' || ':' || {{ col('Sponsored Job Campaign') }} || ':' || {{ col('Date') }} as channel_metric_id,
    'indeed' as channel,
    {{ col('Date') }} as metric_date,
    {{ col('Sponsored Job Campaign') }} as campaign_id,
    {{ col('Impressions') }} as impressions,
    {{ col('Clicks') }} as clicks,
    {{ col('Apply Starts') }} as apply_starts,
    {{ col('Applies') }} as applications,
    {{ col('Spend') }} as spend,
    {{ col('Currency') }} as currency,
    _source_file as delivered_in_file
from {{ source('channels', 'channel_indeed') }}
