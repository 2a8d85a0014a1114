-- One row per campaign and day of its plan, with the phase running that day.
with days as (
select
    p.campaign_id,
    c.business_unit,
    c.client_id,
    p.phase,
    unnest(range(p.start_date, p.end_date + 1, interval 1 day))::date as plan_date
from {{ ref('stg_ats__campaign_phases') }} p
join {{ ref('stg_ats__campaigns') }} c using (campaign_id)
)

select campaign_id || ':' || plan_date as campaign_day_id, *
from days
