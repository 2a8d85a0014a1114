-- One row per scraped candidate: the name and e-mail readers show next to a candidate's scores (pseudonymized
-- unless the caller may see them, access.pii) and where they are. The name is first and last name, or none.
select
    candidate_id,
    nullif(concat_ws(' ', first_name, last_name), '') as candidate_name,
    email,
    city,
    region,
    country,
    created_on
from {{ ref('stg_scraped__candidates') }}
