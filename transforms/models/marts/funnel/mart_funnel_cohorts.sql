-- Stage pass-through per cohort of applications (month applied) x BU x source channel x campaign.
-- Counts are of applications that ever reached a stage, so each stage is a subset of the one before.
-- client_id: the campaign's client (none for organic applications), what a client's scope filters on.
with cohorts as (
    select
        a.cohort_month,
        a.business_unit,
        a.source_channel,
        coalesce(a.campaign_id, 'organic') as campaign_id,
        c.client_id,
        count(*) as applied,
        count(screened_at) as screened,
        count(interviewed_at) as interviewed,
        count(offered_at) as offered,
        count(hired_at) as hired,
        count(rejected_at) as rejected,
        count(*) filter (where is_open) as open_applications,
        count(*) filter (where is_stale) as stale,
        count(*) filter (where offer_pending) as offers_pending,
        sum(stages_reached) as stages_reached
    from {{ ref('fct_applications') }} a
    left join {{ ref('dim_campaigns') }} c using (campaign_id)
    group by all
)

select
    cohort_month || ':' || business_unit || ':' || source_channel || ':' || campaign_id as funnel_cohort_id,
    *,
    {{ metrics('funnel') }}
from cohorts
