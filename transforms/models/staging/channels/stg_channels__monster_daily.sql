-- Monster export renamed to the canonical metric names (models/channels.py).
select
    'monster' || ':' || {{ col('campaign_ref') }} || ':' || {{ col('report_date') }} as channel_metric_id,
    'monster' as channel,
    {{ col('report_date') }} as metric_date,
    {{ col('campaign_ref') }} as campaign_id,
    {{ col('impressions') }} as impressions,
    {{ col('clicks') }} as clicks,
    {{ col('applies') }} as applications,
    {{ col('cost') }} as spend,
    {{ col('currency_code') }} as currency,
    _source_file as delivered_in_file
from {{ source('channels', 'channel_monster') }}
