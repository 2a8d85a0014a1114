-- OCC Mundial export renamed to the canonical metric names (models/channels.py).
select
    'occ' || ':' || {{ col('Clave de campaña') }} || ':' || {{ col('Fecha') }} as channel_metric_id,
    'occ' as channel,
    {{ col('Fecha') }} as metric_date,
    {{ col('Clave de campaña') }} as campaign_id,
    {{ col('Impresiones') }} as impressions,
    {{ col('Alcance') }} as reach,
    {{ col('Clics') }} as clicks,
    {{ col('Postulaciones') }} as applications,
    {{ col('Inversión (MXN)') }} as spend,
    'MXN' as currency,  -- the platform bills in one currency only
    _source_file as delivered_in_file
from {{ source('channels', 'channel_occ') }}
