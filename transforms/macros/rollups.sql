{# The additive columns come from models/metrics.py, through the generated macro additive_columns (metrics.sql). #}
{% macro campaign_rollup(period_column) -%}
with rolled as (
    select
        {{ period_column }} as period_start,
        business_unit,
        campaign_id,
        client_id,
        phase,
        channel,
        {%- for column in additive_columns('campaign') %}
        sum({{ column }}) as {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ ref('fct_campaign_channel_daily') }}
    group by all
)

select
    campaign_id || ':' || channel || ':' || phase || ':' || period_start as campaign_period_id,
    *,
    {{ metrics('campaign') }}
from rolled
{%- endmacro %}
