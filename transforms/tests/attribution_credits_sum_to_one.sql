-- Under every model, the credits of one conversion sum to 1.
select conversion_id, attribution_model, sum(credit) as total_credit
from {{ ref('fct_attribution_credits') }}
group by conversion_id, attribution_model
having abs(sum(credit) - 1) > 1e-9
