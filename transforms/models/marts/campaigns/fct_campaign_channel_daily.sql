-- Campaign performance at its finest grain: day x business unit x campaign x phase x channel.
-- Every column but the key and dimensions is additive; ratios (CTR, conversion rate,
-- costs per application/hire, engagement score, ROI, ROAS) are recomputed from sums by
-- the metrics macro, here and in every rollup, so they are never averaged.
--   reach, impressions, clicks, spend: the channel's own daily export. Messaging channels
--     report deliveries and replies instead: a delivered message counts as reach and as an
--     impression, a reply as a click (an e-mail link click is already a click).
--   applications, qualified applications (passed screening), hires: the ATS, credited to
--     the day, campaign and channel of the application (a hire counts on the day its
--     candidate applied, so cost per hire compares spend with the hires it brought).
--   attributed revenue: the placement fees paid for those hires, net of refunds (int_hire_revenue), last-touch.
with exports as (
    select
        metric_date,
        campaign_id,
        channel,
        case when channel in ('whatsapp', 'telegram', 'email') then deliveries else coalesce(reach, impressions) end as reach,
        case when channel in ('whatsapp', 'telegram', 'email') then deliveries else impressions end as impressions,
        case when channel in ('whatsapp', 'telegram') then coalesce(clicks, replies) else clicks end as clicks,
        sends,
        deliveries,
        reads,
        replies,
        spend,
        currency
    from {{ ref('int_channel_metrics__unified_daily') }}
),

ats as (
    select
        a.applied_date as metric_date,
        a.campaign_id,
        a.source_channel as channel,
        count(*) as applications,
        count(a.screened_at) as qualified_applications,
        count(a.hired_at) as hires,
        -- a campaign run for a client earns only the fees that client paid (never another company's money)
        coalesce(sum(r.revenue_mxn) filter (where cmp.client_id is null or r.client_id = cmp.client_id), 0)
            as attributed_revenue_mxn
    from {{ ref('int_applications') }} a
    left join {{ ref('int_hire_revenue') }} r using (application_id)
    left join {{ ref('stg_ats__campaigns') }} cmp on cmp.campaign_id = a.campaign_id
    where a.campaign_id is not null
    group by all
),

joined as (
    select
        coalesce(e.metric_date, a.metric_date) as metric_date,
        coalesce(e.campaign_id, a.campaign_id) as campaign_id,
        coalesce(e.channel, a.channel) as channel,
        e.reach, e.impressions, e.clicks, e.sends, e.deliveries, e.reads, e.replies, e.spend, e.currency,
        a.applications, a.qualified_applications, a.hires, a.attributed_revenue_mxn
    from exports e
    full outer join ats a
        on a.metric_date = e.metric_date and a.campaign_id = e.campaign_id and a.channel = e.channel
),

facts as (
select
    j.campaign_id || ':' || j.channel || ':' || j.metric_date as campaign_channel_day_id,
    j.metric_date,
    {{ week_start('j.metric_date') }} as metric_week,
    {{ month_start('j.metric_date') }} as metric_month,
    c.business_unit,
    j.campaign_id,
    c.client_id,
    coalesce(p.phase, 'unplanned') as phase,
    j.channel,
    coalesce(j.reach, 0) as reach,
    coalesce(j.impressions, 0) as impressions,
    coalesce(j.clicks, 0) as clicks,
    coalesce(j.sends, 0) as sends,
    coalesce(j.deliveries, 0) as deliveries,
    coalesce(j.reads, 0) as reads,
    coalesce(j.replies, 0) as replies,
    coalesce(j.applications, 0) as applications,
    coalesce(j.qualified_applications, 0) as qualified_applications,
    coalesce(j.hires, 0) as hires,
    coalesce({{ to_mxn('j.spend', 'fx.rate_to_mxn') }}, 0) as spend_mxn,
    coalesce(j.attributed_revenue_mxn, 0) as attributed_revenue_mxn
from joined j
join {{ ref('stg_ats__campaigns') }} c using (campaign_id)
left join {{ ref('int_campaign_phase_days') }} p on p.campaign_id = j.campaign_id and p.plan_date = j.metric_date
left join {{ ref('int_fx_rates__daily') }} fx on fx.currency = j.currency and fx.rate_date = j.metric_date
)

select *, {{ metrics('campaign') }}
from facts
