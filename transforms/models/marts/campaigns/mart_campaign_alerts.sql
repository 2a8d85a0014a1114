-- Campaigns whose conversion or engagement crosses a threshold (seed alert_thresholds),
-- over the campaign's whole life, once it has enough volume for the ratio to mean something.
with summary as (
    select * from {{ ref('mart_campaign_summary') }}
),

measured as (
    -- one row per campaign and measured metric (an unpivot both engines read alike; a NULL ratio is no measurement)
    {%- for metric in ['conversion_rate', 'engagement_score', 'cost_per_application_mxn', 'qualified_rate'] %}
    select campaign_id, campaign_name, business_unit, client_id, reach, applications,
           '{{ metric }}' as metric, cast({{ metric }} as double) as metric_value
    from summary
    where {{ metric }} is not null
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
)

select
    m.campaign_id || ':' || m.metric as alert_id,
    m.campaign_id,
    m.campaign_name,
    m.business_unit,
    m.client_id,
    m.metric,
    m.metric_value,
    t.direction,
    t.threshold,
    t.severity,
    t.meaning,
    case t.volume_column when 'reach' then m.reach else m.applications end as volume
from measured m
join {{ ref('alert_thresholds') }} t on t.metric = m.metric
where case t.volume_column when 'reach' then m.reach else m.applications end >= t.min_volume
  and ((t.direction = 'below' and m.metric_value < t.threshold)
    or (t.direction = 'above' and m.metric_value > t.threshold))
