-- OCC Mundial export renamed to the canonical metric names (models/channels.py).
select
    'occ' || ':' || "Clave de campaña" || ':' || "Fecha" as channel_metric_id,
    'occ' as channel,
    "Fecha" as metric_date,
    "Clave de campaña" as campaign_id,
    "Impresiones" as impressions,
    "Alcance" as reach,
    "Clics" as clicks,
    "Postulaciones" as applications,
    "Inversión (MXN)" as spend,
    'MXN' as currency,  -- the platform bills in one currency only
    _source_file as delivered_in_file
from {{ source('channels', 'channel_occ') }}
