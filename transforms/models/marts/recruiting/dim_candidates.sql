-- One row per scraped candidate and where they are. Their name and e-mail are in people.candidate_contacts.
select
    candidate_id,
    city,
    region,
    country,
    created_on
from {{ ref('stg_scraped__candidates') }}
