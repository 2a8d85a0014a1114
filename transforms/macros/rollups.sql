{# The additive columns of campaign performance, in one place for every rollup. #}
{% macro campaign_additive_columns() -%}
    {{ return(['reach', 'impressions', 'clicks', 'sends', 'deliveries', 'reads', 'replies', 'applications',
               'qualified_applications', 'hires', 'spend_mxn', 'attributed_revenue_mxn']) }}
{%- endmacro %}

{% macro campaign_rollup(period_column) -%}
with rolled as (
    select
        {{ period_column }} as period_start,
        business_unit,
        campaign_id,
        client_id,
        phase,
        channel,
        {%- for column in campaign_additive_columns() %}
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
