-- One row per vacancy a campaign published: its business unit and campaign (whose scope it is in), the client it is
-- filled for (who pays its placement fees), title, place and monthly pay range.
select
    vacancy_id,
    campaign_id,
    client_id,
    business_unit,
    title,
    state,
    city,
    salary_min,
    salary_max,
    published_at
from {{ ref('stg_ats__vacancies') }}
