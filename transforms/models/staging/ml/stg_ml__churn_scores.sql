-- Churn probability per recently active candidate (champion model), with its top reasons.
select candidate_id, business_unit, cutoff as scored_for_cutoff, churn_probability, risk_decile, top_reasons,
       model_version as churn_model_version, scored_at
from {{ source('ml', 'churn_scores') }}
