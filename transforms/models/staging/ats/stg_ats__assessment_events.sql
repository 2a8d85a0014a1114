-- Assessments: created, submitted, scored (score 0-100 on scored events).
select
    event_id,
    {{ json_text('event_json', 'payload.assessment_id') }} as assessment_id,
    candidate_id,
    business_unit,
    replace(event_type, 'assessment.', '') as status,
    {{ json_text('event_json', 'payload.assessment_type') }} as assessment_type,
    ({{ json_text('event_json', 'payload.score') }})::double as score,
    occurred_at
from ({{ ats_events(['assessment.created', 'assessment.submitted', 'assessment.scored']) }})
