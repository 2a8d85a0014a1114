-- One row per application: where it came from, the phase it arrived in, when it entered
-- each stage, where it is now, and the paid placement fee of its hire.
-- "As of" is the newest ATS event, so a re-run on the same data gives the same answer.
with as_of as (
    select max(occurred_at) as as_of from {{ ref('stg_ats__events') }}
)

select
    a.application_id,
    a.candidate_id,
    a.business_unit,
    a.campaign_id,
    cmp.client_id,  -- the client the campaign runs for (huntRED Solutions), as on the funnel marts
    coalesce(a.source_channel, 'web') as source_channel,
    coalesce(p.phase, case when a.campaign_id is null then 'organic' else 'unplanned' end) as phase,
    a.vacancy_id,
    a.applied_at,
    a.applied_date,
    {{ month_start('a.applied_date') }} as cohort_month,
    a.screened_at,
    a.interviewed_at,
    a.offered_at,
    a.hired_at,
    a.rejected_at,
    a.current_stage,
    a.stages_reached,
    a.current_stage not in ('hired', 'rejected') as is_open,
    a.current_stage not in ('hired', 'rejected')
        and a.applied_at < as_of.as_of - interval '{{ var('stale_after_days') }}' day as is_stale,
    -- an offer is pending while it has neither been accepted (hired) nor turned down
    a.offered_at is not null and a.current_stage = 'offered' as offer_pending,
    {{ days_elapsed('a.applied_at', 'a.hired_at') }} as days_to_hire,
    coalesce(r.revenue_mxn, 0) as hire_revenue_mxn
from {{ ref('int_applications') }} a
cross join as_of
left join {{ ref('int_campaign_phase_days') }} p on p.campaign_id = a.campaign_id and p.plan_date = a.applied_date
left join {{ ref('int_hire_revenue') }} r using (application_id)
left join {{ ref('stg_ats__campaigns') }} cmp on cmp.campaign_id = a.campaign_id
