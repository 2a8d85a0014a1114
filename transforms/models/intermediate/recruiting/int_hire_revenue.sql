-- What each hire earned huntRED: the placement fees invoiced for its application and paid in Stripe, net of refunds
-- (MXN). The closed loop - campaign -> application -> hire -> placement invoice paid - so a hire whose fee is not paid
-- yet (or was refunded under the guarantee) earns nothing yet, and money never moves between hires, BUs or clients.
select
    a.application_id,
    a.business_unit,
    {{ first_by('p.client_id', 'p.invoice_date') }} as client_id,
    sum(p.invoiced_mxn) as invoiced_mxn,
    sum(p.net_paid_mxn) as revenue_mxn
from {{ ref('int_applications') }} a
join {{ ref('int_placement_fees') }} p using (application_id)
where a.hired_at is not null
group by a.application_id, a.business_unit
