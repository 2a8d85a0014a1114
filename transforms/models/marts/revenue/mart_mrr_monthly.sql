-- Monthly recurring revenue per customer and month, in MXN, from subscription invoices
-- (the amount billed for the period starting that month, whether or not it was collected;
-- a yearly plan counts a twelfth each month), and the month's movement for the customer:
-- new (first MRR ever), reactivation (MRR again after a month without), expansion,
-- contraction, churned (no MRR this month after some last month), or unchanged.
with invoiced as (
    select
        i.customer_id,
        {{ month_start(local_date('i.period_start')) }} as mrr_month,
        sum(i.amount_due * fx.rate_to_mxn / case s.billing_interval when 'year' then 12 else 1 end) as mrr_mxn
    from {{ ref('stg_stripe__invoices') }} i
    join {{ ref('stg_stripe__subscriptions') }} s using (subscription_id)
    join {{ ref('int_fx_rates__daily') }} fx
        on fx.currency = i.currency and fx.rate_date = {{ local_date('i.period_start') }}
    where i.subscription_id is not null and i.status in ('paid', 'open', 'uncollectible')
    group by all
),

months as (
    select {{ month_series('first_month', 'last_month') }} as mrr_month
    from (select min(mrr_month) as first_month, max(mrr_month) as last_month from invoiced) bounds
),

customer_months as (
    -- every month from a customer's first MRR on, so a month without MRR is visible (churn)
    select c.customer_id, m.mrr_month
    from (select customer_id, min(mrr_month) as first_month from invoiced group by customer_id) c
    join months m on m.mrr_month >= c.first_month
),

series as (
    select
        cm.customer_id,
        cm.mrr_month,
        {{ money('coalesce(i.mrr_mxn, 0)') }} as mrr_mxn
    from customer_months cm
    left join invoiced i using (customer_id, mrr_month)
),

with_previous as (
    select
        *,
        coalesce(lag(mrr_mxn) over (partition by customer_id order by mrr_month), 0) as previous_mrr_mxn,
        row_number() over (partition by customer_id order by mrr_month) = 1 as is_first_month
    from series
)

select
    w.customer_id || ':' || w.mrr_month as customer_month_id,
    w.customer_id,
    cu.business_unit,
    cu.client_id,
    w.mrr_month,
    w.previous_mrr_mxn,
    w.mrr_mxn,
    case
        when w.mrr_mxn > 0 and w.is_first_month then 'new'
        when w.mrr_mxn > 0 and w.previous_mrr_mxn = 0 then 'reactivation'
        when w.mrr_mxn = 0 and w.previous_mrr_mxn > 0 then 'churned'
        when w.mrr_mxn > w.previous_mrr_mxn then 'expansion'
        when w.mrr_mxn < w.previous_mrr_mxn then 'contraction'
        when w.mrr_mxn = 0 then 'inactive'
        else 'unchanged'
    end as movement
from with_previous w
left join {{ ref('stg_stripe__customers') }} cu using (customer_id)
