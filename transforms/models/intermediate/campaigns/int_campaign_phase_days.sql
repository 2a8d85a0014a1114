-- One row per campaign and day of its plan, with the phase running that day.
with days as (
select
    p.campaign_id,
    c.business_unit,
    c.client_id,
    p.phase,
    {{ day_series('p.start_date', 'p.end_date') }} as plan_date
from {{ ref('stg_ats__campaign_phases') }} p
join {{ ref('stg_ats__campaigns') }} c using (campaign_id)
)

select campaign_id || ':' || plan_date as campaign_day_id, campaign_id, business_unit, client_id, phase, plan_date
from days
