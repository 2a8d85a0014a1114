-- One row per campaign: its plan, its totals over its whole life, and retargeting impact.
-- Retargeting impact: of the candidates the campaign touched before its Retargeting phase
-- began and who had not applied to it by then (its open leads), the share who applied to it
-- during Retargeting.
with campaigns as (
    select * from {{ ref('stg_ats__campaigns') }}
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
        sum(reach) as reach, sum(impressions) as impressions, sum(clicks) as clicks,
        sum(sends) as sends, sum(deliveries) as deliveries, sum(reads) as reads, sum(replies) as replies,
        sum(applications) as applications, sum(qualified_applications) as qualified_applications,
        sum(hires) as hires, sum(spend_mxn) as spend_mxn, sum(attributed_revenue_mxn) as attributed_revenue_mxn
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
        {{ to_mxn('c.budget', 'fx.rate_to_mxn') }} as budget_mxn,
        t.first_activity_date,
        t.last_activity_date,
        coalesce(t.reach, 0) as reach, coalesce(t.impressions, 0) as impressions, coalesce(t.clicks, 0) as clicks,
        coalesce(t.sends, 0) as sends, coalesce(t.deliveries, 0) as deliveries, coalesce(t.reads, 0) as reads,
        coalesce(t.replies, 0) as replies, coalesce(t.applications, 0) as applications,
        coalesce(t.qualified_applications, 0) as qualified_applications, coalesce(t.hires, 0) as hires,
        coalesce(t.spend_mxn, 0) as spend_mxn, coalesce(t.attributed_revenue_mxn, 0) as attributed_revenue_mxn,
        coalesce(r.leads_at_retargeting_start, 0) as leads_at_retargeting_start,
        coalesce(r.leads_recovered, 0) as leads_recovered
    from campaigns c
    left join totals t using (campaign_id)
    left join recovered r using (campaign_id)
    left join {{ ref('int_fx_rates__daily') }} fx on fx.currency = c.budget_currency and fx.rate_date = c.start_date
)

select *, {{ metrics('campaign') }}, {{ metrics('retargeting') }}
from summary
