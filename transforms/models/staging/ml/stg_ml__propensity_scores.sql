-- Propensity per candidate and campaign objective (apply, retargeting_response).
select candidate_id, objective, business_unit, probability, model_version, scored_at
from {{ source('ml', 'propensity_scores') }}
