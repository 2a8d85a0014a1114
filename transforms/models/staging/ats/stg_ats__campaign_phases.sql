-- One row per campaign phase (Expectativa, Lanzamiento, Consolidación, Retargeting) with its planned dates.
with created as ({{ ats_events(['publish.campaign_created']) }}),

phases as (
    select
        {{ json_text('event_json', 'payload.campaign_id') }} as campaign_id,
        occurred_at,
        {{ json_elements('event_json', 'payload.phases') }} as phase_json
    from created
),

fields as (
    select
        campaign_id,
        occurred_at,
        {{ json_text('phase_json', 'phase') }} as phase,
        cast({{ json_text('phase_json', 'start_date') }} as date) as start_date,
        cast({{ json_text('phase_json', 'end_date') }} as date) as end_date
    from phases
)

select campaign_id || ':' || phase as campaign_phase_id, campaign_id, phase, start_date, end_date
from (
    select *, row_number() over (partition by campaign_id, phase order by occurred_at) as announced
    from fields
) ranked
where announced = 1
