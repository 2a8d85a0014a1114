-- One rate per currency and day: the latest published rate on or before that day
-- (seed fx_rates, monthly); before the first published rate, the first one. MXN is the reporting currency, so its
-- rate is 1.
{%- set first_reported = "date '2024-01-01'" %}
with days as (
    -- from the earliest published rate on, so a rate published before the first reported day still fills it
    select {{ day_series('first_day', "date '2027-12-31'") }} as rate_date
    from (select least(min(rate_date), {{ first_reported }}) as first_day from {{ ref('fx_rates') }}) bounds
),

first_published as (
    select currency, {{ first_by('rate_to_mxn', 'rate_date') }} as first_rate
    from {{ ref('fx_rates') }}
    group by currency
),

grid as (
    select
        d.rate_date,
        c.currency,
        r.rate_to_mxn,
        c.first_rate,
        -- the days from one published rate to the next share its number: the rate is filled forward within it
        count(r.rate_to_mxn) over (partition by c.currency order by d.rate_date rows unbounded preceding) as published_before
    from days d
    cross join first_published c
    left join {{ ref('fx_rates') }} r on r.currency = c.currency and r.rate_date = d.rate_date
),

filled as (
    select rate_date, currency, coalesce(max(rate_to_mxn) over (partition by currency, published_before), first_rate) as rate_to_mxn
    from grid
)

select currency || ':' || rate_date as fx_rate_day_id, rate_date, currency, rate_to_mxn
from filled
where rate_date >= {{ first_reported }}
union all
select 'MXN:' || rate_date, rate_date, 'MXN', 1.0e0 from days where rate_date >= {{ first_reported }}
