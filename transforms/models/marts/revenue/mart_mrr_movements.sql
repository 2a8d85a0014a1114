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
        round(starting_mrr_mxn, 2) as starting_mrr_mxn,
        round(coalesce(new_mrr_mxn, 0), 2) as new_mrr_mxn,
        round(coalesce(expansion_mrr_mxn, 0), 2) as expansion_mrr_mxn,
        round(coalesce(reactivation_mrr_mxn, 0), 2) as reactivation_mrr_mxn,
        round(coalesce(contraction_mrr_mxn, 0), 2) as contraction_mrr_mxn,
        round(coalesce(churned_mrr_mxn, 0), 2) as churned_mrr_mxn,
        round(ending_mrr_mxn, 2) as ending_mrr_mxn,
        paying_customers,
        churned_customers
    from monthly
)

select mrr_month || ':' || business_unit || ':' || coalesce(client_id, 'no_client') as mrr_movement_id, *,
       {{ metrics('mrr') }}
from filled
