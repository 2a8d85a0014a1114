-- Revenue attributed to each hire: the BU's net Stripe revenue (MXN) in the month of
-- the hire, shared equally among that BU's hires of that month. huntRED bills its
-- clients for filling their vacancies; this ties that money to the hires that earned it.
with hires as (
    select application_id, business_unit, date_trunc('month', {{ local_date('hired_at') }})::date as hire_month
    from {{ ref('int_applications') }}
    where hired_at is not null
),

revenue as (
    select business_unit, date_trunc('month', charge_date)::date as hire_month,
           sum(amount_mxn - refunded_mxn) as net_revenue_mxn
    from {{ ref('int_stripe__charges_mxn') }}
    where status = 'succeeded'
    group by all
)

select
    h.application_id,
    h.business_unit,
    h.hire_month,
    round(coalesce(r.net_revenue_mxn, 0) / count(*) over (partition by h.business_unit, h.hire_month), 2) as revenue_mxn
from hires h
left join revenue r using (business_unit, hire_month)
