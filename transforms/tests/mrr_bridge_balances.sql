-- starting + new + expansion + reactivation - contraction - churned = ending, every month and BU.
select *
from {{ ref('mart_mrr_movements') }}
where abs(starting_mrr_mxn + new_mrr_mxn + expansion_mrr_mxn + reactivation_mrr_mxn
          - contraction_mrr_mxn - churned_mrr_mxn - ending_mrr_mxn) > 0.05e0
