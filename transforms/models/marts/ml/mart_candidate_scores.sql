-- One row per scored candidate: churn risk and propensity per campaign objective, side by side,
-- so campaigns can target (e.g. high retargeting response, rising churn risk) from one table.
with propensity as (
    select
        candidate_id,
        max(probability) filter (where objective = 'apply') as propensity_apply,
        max(probability) filter (where objective = 'retargeting_response') as propensity_retargeting_response,
        max(model_version) filter (where objective = 'apply') as apply_model_version
    from {{ ref('stg_ml__propensity_scores') }}
    group by candidate_id
)
select
    c.candidate_id,
    coalesce(c.business_unit, p_bu.business_unit) as business_unit,
    c.churn_probability,
    c.risk_decile,
    c.risk_decile >= 9 as high_churn_risk,
    c.top_reasons as churn_reasons,
    p.propensity_apply,
    p.propensity_retargeting_response,
    c.churn_model_version,
    c.scored_for_cutoff,
    c.scored_at
from {{ ref('stg_ml__churn_scores') }} c
left join propensity p using (candidate_id)
left join (select candidate_id, {{ any_of('business_unit') }} as business_unit from {{ ref('stg_ml__propensity_scores') }}
           group by candidate_id) p_bu using (candidate_id)
