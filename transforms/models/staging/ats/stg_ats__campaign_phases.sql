-- One row per campaign phase (Expectativa, Lanzamiento, Consolidación, Retargeting) with its planned dates.
with created as ({{ ats_events(['publish.campaign_created']) }}),

phases as (
    select
        {{ json_text('event_json', 'payload.campaign_id') }} as campaign_id,
        occurred_at,
        unnest(
            from_json(event_json -> '$.payload.phases', '[{"phase": "VARCHAR", "start_date": "DATE", "end_date": "DATE"}]'),
            recursive := true
        )
    from created
)

select
    campaign_id || ':' || phase as campaign_phase_id,
    campaign_id,
    phase,
    start_date,
    end_date
from phases
qualify row_number() over (partition by campaign_id, phase order by occurred_at) = 1
