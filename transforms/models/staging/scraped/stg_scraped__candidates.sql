-- Scraped SmartRecruiters candidates flattened to columns (names in snake_case).
select
    candidate_id,
    {{ json_text('candidate_json', 'firstName') }} as first_name,
    {{ json_text('candidate_json', 'lastName') }} as last_name,
    email,
    {{ json_text('candidate_json', 'phone') }} as phone,
    {{ json_text('candidate_json', 'location.city') }} as city,
    {{ json_text('candidate_json', 'location.region') }} as region,
    upper({{ json_text('candidate_json', 'location.country') }}) as country,
    job_id,
    {{ json_text('candidate_json', 'primaryAssignment.job.title') }} as job_title,
    status as assignment_status,
    {{ json_text_array('candidate_json', 'tags') }} as tags,
    json_array_length({{ json_value('candidate_json', 'experience') }}) as experience_entries,
    {{ json_text('candidate_json', 'education[0].degree') }} as education_degree,
    {{ json_text('candidate_json', 'resume.fileName') }} as resume_file,
    created_on,
    _source_file as delivered_in_file
from {{ source('scraped', 'scraped_candidates') }}
