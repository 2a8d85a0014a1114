-- Churn risk per business unit for the 30 days after the newest data. Additive columns
-- (scored candidates, expected churners, high-risk candidates) so any roll-up re-derives the shares.
select
    business_unit,
    count(*) as scored_candidates,
    sum(churn_probability) as expected_churners,
    count(*) filter (where high_churn_risk) as high_risk_candidates,
    sum(churn_probability) / count(*) as mean_churn_probability,
    count(*) filter (where high_churn_risk) / count(*) as high_risk_share,
    avg(propensity_apply) as mean_propensity_apply,
    avg(propensity_retargeting_response) as mean_propensity_retargeting_response,
    {{ any_of('churn_model_version') }} as churn_model_version,
    max(scored_for_cutoff) as scored_for_cutoff
from {{ ref('mart_candidate_scores') }}
group by business_unit
