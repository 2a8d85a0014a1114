-- One row per vacancy a campaign published: its business unit and campaign (whose scope it is in), title and place.
select
    vacancy_id,
    campaign_id,
    business_unit,
    title,
    state,
    city,
    published_at
from {{ ref('stg_ats__vacancies') }}
