-- Vacancies published by campaigns: the postings matching ranks candidates for.
select
    event_id,
    {{ json_text('event_json', 'payload.vacancy_id') }} as vacancy_id,
    {{ json_text('event_json', 'payload.campaign_id') }} as campaign_id,
    {{ json_text('event_json', 'payload.client_id') }} as client_id,
    business_unit,
    {{ json_text('event_json', 'payload.title') }} as title,
    {{ json_text('event_json', 'payload.description') }} as description,
    {{ json_text_array('event_json', 'payload.required_skills') }} as required_skills,
    ({{ json_text('event_json', 'payload.min_years_experience') }})::integer as min_years_experience,
    {{ json_text('event_json', 'payload.state') }} as state,
    {{ json_text('event_json', 'payload.city') }} as city,
    ({{ json_text('event_json', 'payload.salary_min') }})::double as salary_min,
    ({{ json_text('event_json', 'payload.salary_max') }})::double as salary_max,
    {{ json_text('event_json', 'payload.currency') }} as currency,
    {{ json_text('event_json', 'payload.language') }} as language,
    occurred_at as published_at
from ({{ ats_events(['publish.vacancy_published']) }})
