-- One row per application with the time it entered each stage (workflow events).
-- The campaign, channel and vacancy are those of the application event itself; the vacancy's client is the company
-- the candidate applied to work for (who pays the placement fee of a hire).
with changes as (
    select * from {{ ref('stg_ats__application_stage_changes') }}
),

by_application as (
    select
        application_id,
        {{ first_by('candidate_id', 'changed_at') }} as candidate_id,
        {{ first_by('business_unit', 'changed_at') }} as business_unit,
        {{ first_by('campaign_id', 'changed_at') }} filter (where to_stage = 'applied') as campaign_id,
        {{ first_by('source_channel', 'changed_at') }} filter (where to_stage = 'applied') as source_channel,
        {{ first_by('vacancy_id', 'changed_at') }} filter (where to_stage = 'applied') as vacancy_id,
        min(changed_at) filter (where to_stage = 'applied') as applied_at,
        min(changed_at) filter (where to_stage = 'screened') as screened_at,
        min(changed_at) filter (where to_stage = 'interviewed') as interviewed_at,
        min(changed_at) filter (where to_stage = 'offered') as offered_at,
        min(changed_at) filter (where to_stage = 'hired') as hired_at,
        min(changed_at) filter (where to_stage = 'rejected') as rejected_at
    from changes
    group by application_id
)

select
    b.*,
    v.client_id as vacancy_client_id,
    {{ local_date('applied_at') }} as applied_date,
    case
        when hired_at is not null then 'hired'
        when rejected_at is not null then 'rejected'
        when offered_at is not null then 'offered'
        when interviewed_at is not null then 'interviewed'
        when screened_at is not null then 'screened'
        else 'applied'
    end as current_stage,
    -- stages after applying that the application reached (0-4), for source quality
    (screened_at is not null)::int + (interviewed_at is not null)::int
        + (offered_at is not null)::int + (hired_at is not null)::int as stages_reached
from by_application b
left join {{ ref('stg_ats__vacancies') }} v using (vacancy_id)
-- an application whose 'applied' event was quarantined has no start: it cannot be placed in a cohort
where applied_at is not null
