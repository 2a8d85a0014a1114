-- Scraped SmartRecruiters candidates flattened to columns (names in snake_case).
select
    candidate_id,
    candidate_json ->> '$.firstName' as first_name,
    candidate_json ->> '$.lastName' as last_name,
    email,
    candidate_json ->> '$.phone' as phone,
    candidate_json ->> '$.location.city' as city,
    candidate_json ->> '$.location.region' as region,
    upper(candidate_json ->> '$.location.country') as country,
    job_id,
    candidate_json ->> '$.primaryAssignment.job.title' as job_title,
    status as assignment_status,
    from_json(candidate_json -> '$.tags', '["VARCHAR"]') as tags,
    json_array_length(candidate_json -> '$.experience') as experience_entries,
    candidate_json ->> '$.education[0].degree' as education_degree,
    candidate_json ->> '$.resume.fileName' as resume_file,
    created_on,
    _source_file as delivered_in_file
from {{ source('scraped', 'scraped_candidates') }}
