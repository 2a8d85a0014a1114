-- One row per campaign phase with its planned dates, the phase's name and order (seed campaign_phases), and the
-- campaign's name, owner and start (what the phase timeline shows and filters on).
select
    p.campaign_phase_id,
    p.campaign_id,
    c.campaign_name,
    c.business_unit,
    c.client_id,
    c.start_date as campaign_start_date,
    p.phase,
    ph.phase_name,
    ph.phase_order,
    p.start_date,
    p.end_date
from {{ ref('stg_ats__campaign_phases') }} p
join {{ ref('stg_ats__campaigns') }} c using (campaign_id)
join {{ ref('campaign_phases') }} ph using (phase)
