-- One row per client of any BU (the companies huntRED recruits for; huntRED Solutions clients also buy consulting): their id, name and business unit, from the Stripe
-- customers whose metadata names a client. A client's name is that of its earliest customer.
select
    client_id,
    {{ first_by('customer_name', 'created_at') }} as client_name,
    {{ first_by('business_unit', 'created_at') }} as business_unit
from {{ ref('stg_stripe__customers') }}
where client_id is not null
group by client_id
