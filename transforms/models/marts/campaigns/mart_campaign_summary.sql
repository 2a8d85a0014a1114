-- One row per campaign: its plan and status (dim_campaigns), its totals over its whole life, and retargeting impact.
-- Retargeting impact: of the candidates the campaign touched before its Retargeting phase
-- began and who had not applied to it by then (its open leads), the share who applied to it
-- during Retargeting.
with campaigns as (
    select * from {{ ref('dim_campaigns') }}
),

retargeting as (
    select campaign_id, start_date as rt_start, end_date as rt_end
    from {{ ref('stg_ats__campaign_phases') }}
    where phase = 'retargeting'
),

leads as (
    -- candidates touched before Retargeting who had not applied to the campaign before it
    select distinct t.campaign_id, t.candidate_id, r.rt_start, r.rt_end
    from {{ ref('int_campaign_touches') }} t
    join retargeting r using (campaign_id)
    where t.touch_date < r.rt_start
      and not exists (
          select 1 from {{ ref('fct_applications') }} a
          where a.campaign_id = t.campaign_id and a.candidate_id = t.candidate_id and a.applied_date < r.rt_start
      )
),

recovered as (
    select l.campaign_id,
           count(*) as leads_at_retargeting_start,
           count(*) filter (where exists (
               select 1 from {{ ref('fct_applications') }} a
               where a.campaign_id = l.campaign_id and a.candidate_id = l.candidate_id
                 and a.applied_date between l.rt_start and l.rt_end
           )) as leads_recovered
    from leads l
    group by l.campaign_id
),

totals as (
    select
        campaign_id,
        min(metric_date) as first_activity_date,
        max(metric_date) as last_activity_date,
        {%- for column in additive_columns('campaign') %}
        sum({{ column }}) as {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ ref('fct_campaign_channel_daily') }}
    group by campaign_id
),

summary as (
    select
        c.campaign_id,
        c.campaign_name,
        c.business_unit,
        c.client_id,
        c.objective,
        c.start_date,
        c.end_date,
        c.budget_mxn,
        c.status,
        t.first_activity_date,
        t.last_activity_date,
        {%- for column in additive_columns('campaign') %}
        coalesce(t.{{ column }}, 0) as {{ column }},
        {%- endfor %}
        coalesce(r.leads_at_retargeting_start, 0) as leads_at_retargeting_start,
        coalesce(r.leads_recovered, 0) as leads_recovered
    from campaigns c
    left join totals t using (campaign_id)
    left join recovered r using (campaign_id)
)

select *, {{ metrics('campaign') }}, {{ metrics('retargeting') }}
from summary
