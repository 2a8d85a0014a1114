-- MRR bridge per month, BU and client: starting MRR + new + expansion + reactivation
-- - contraction - churned = ending MRR (tested). Every column is additive, so a BU's or
-- the group's bridge is the sum of its clients' rows (and a client reads only its own).
with monthly as (
    select
        mrr_month,
        business_unit,
        client_id,
        sum(previous_mrr_mxn) as starting_mrr_mxn,
        sum(mrr_mxn - previous_mrr_mxn) filter (where movement = 'new') as new_mrr_mxn,
        sum(mrr_mxn - previous_mrr_mxn) filter (where movement = 'expansion') as expansion_mrr_mxn,
        sum(mrr_mxn - previous_mrr_mxn) filter (where movement = 'reactivation') as reactivation_mrr_mxn,
        sum(previous_mrr_mxn - mrr_mxn) filter (where movement = 'contraction') as contraction_mrr_mxn,
        sum(previous_mrr_mxn - mrr_mxn) filter (where movement = 'churned') as churned_mrr_mxn,
        sum(mrr_mxn) as ending_mrr_mxn,
        count(*) filter (where mrr_mxn > 0) as paying_customers,
        count(*) filter (where movement = 'churned') as churned_customers
    from {{ ref('mart_mrr_monthly') }}
    group by all
),

filled as (
    select
        mrr_month, business_unit, client_id,
        {{ money('starting_mrr_mxn') }} as starting_mrr_mxn,
        {{ money('coalesce(new_mrr_mxn, 0)') }} as new_mrr_mxn,
        {{ money('coalesce(expansion_mrr_mxn, 0)') }} as expansion_mrr_mxn,
        {{ money('coalesce(reactivation_mrr_mxn, 0)') }} as reactivation_mrr_mxn,
        {{ money('coalesce(contraction_mrr_mxn, 0)') }} as contraction_mrr_mxn,
        {{ money('coalesce(churned_mrr_mxn, 0)') }} as churned_mrr_mxn,
        {{ money('ending_mrr_mxn') }} as ending_mrr_mxn,
        paying_customers,
        churned_customers
    from monthly
)

select mrr_month || ':' || business_unit || ':' || coalesce(client_id, 'no_client') as mrr_movement_id, *,
       {{ metrics('mrr') }}
from filled
