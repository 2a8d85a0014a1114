-- One row per placement fee invoiced: the hire it bills (application, vacancy and its title, the campaign the candidate
-- came through), the client invoiced and its BU, when the hire was made and started, and the money - invoiced, paid,
-- refunded under the guarantee, net - in MXN. What a BU manager reconciles and a client is shown of its own fees.
select
    p.invoice_id,
    i.invoice_number,
    p.client_id,
    cl.client_name,
    p.business_unit,
    p.application_id,
    p.vacancy_id,
    v.title as vacancy_title,
    a.campaign_id,
    {{ local_date('a.hired_at') }} as hired_date,
    p.placement_start_date,
    p.invoice_date,
    {{ month_start('p.invoice_date') }} as invoice_month,
    p.invoice_status,
    p.currency,
    p.annual_salary_mxn,
    p.fee_share,
    p.invoiced_mxn,
    p.paid_mxn,
    p.refunded_mxn,
    p.net_paid_mxn,
    p.paid_date,
    {{ days_between('p.invoice_date', 'p.paid_date') }} as days_to_pay,
    p.guarantee_outcome
from {{ ref('int_placement_fees') }} p
join {{ ref('stg_stripe__invoices') }} i on i.invoice_id = p.invoice_id
left join {{ ref('int_applications') }} a on a.application_id = p.application_id
left join {{ ref('stg_ats__vacancies') }} v on v.vacancy_id = p.vacancy_id
left join {{ ref('dim_clients') }} cl on cl.client_id = p.client_id
