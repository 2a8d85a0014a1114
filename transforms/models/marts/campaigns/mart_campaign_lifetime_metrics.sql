-- Each campaign's lifetime figures, in total (channel null) and per channel: what
-- GET /api/publish/campaigns/{id}/metrics/ answers when no period or filter is asked (the default), read by key
-- instead of summed per request. Sums are typed as the API's own per-request sums (counts BIGINT, money DOUBLE) and
-- the ratios come from the same definitions (models/metrics.py), so both paths give the same answer
-- (tests/serving/test_campaign_metrics_cold.py compares them for every campaign).
with daily as (
    select * from {{ ref('fct_campaign_channel_daily') }}
),

per_channel as (
    select
        campaign_id,
        channel,
        {%- for column in additive_columns('campaign') %}
        sum({{ column }}) as {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from daily
    group by campaign_id, channel
),

totals as (
    select
        campaign_id,
        cast(null as string) as channel,
        {%- for column in additive_columns('campaign') %}
        sum({{ column }}) as {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from daily
    group by campaign_id
),

sums as (
    -- every campaign has its total row, zeros before any activity (as the per-request sums answer)
    select
        c.campaign_id,
        s.channel,
        c.business_unit,
        c.client_id,
        {%- for column in additive_columns('campaign') %}
        cast(coalesce(s.{{ column }}, 0) as {{ 'double' if column.endswith('_mxn') else 'bigint' }}) as {{ column }},
        {%- endfor %}
        c.retargeting_impact as lifetime_retargeting_impact
    from {{ ref('mart_campaign_summary') }} c
    left join (select * from totals union all select * from per_channel) s using (campaign_id)
)

select
    campaign_id || ':' || coalesce(channel, '*') as campaign_channel_id,
    channel is null as is_total,
    *,
    {{ metrics('campaign') }}
from sums
