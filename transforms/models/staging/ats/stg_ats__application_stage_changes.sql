-- Workflow: each change of an application's stage (applied, screened, interviewed, offered, hired, rejected).
select
    event_id,
    {{ json_text('event_json', 'payload.application_id') }} as application_id,
    candidate_id,
    {{ json_text('event_json', 'payload.vacancy_id') }} as vacancy_id,
    campaign_id,
    business_unit,
    {{ json_text('event_json', 'payload.from_stage') }} as from_stage,
    {{ json_text('event_json', 'payload.to_stage') }} as to_stage,
    {{ json_text('event_json', 'payload.source_channel') }} as source_channel,
    occurred_at as changed_at
from ({{ ats_events(['workflow.stage_changed']) }})
