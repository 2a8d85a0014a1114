-- One rate per currency and day: the latest published rate on or before that day
-- (seed fx_rates, monthly). MXN is the reporting currency, so its rate is 1.
with days as (
    select unnest(range(date '2024-01-01', date '2028-01-01', interval 1 day))::date as rate_date
),

currencies as (
    select distinct currency from {{ ref('fx_rates') }}
),

usd_like as (
    select d.rate_date, c.currency, r.rate_to_mxn
    from days d
    cross join currencies c
    asof left join {{ ref('fx_rates') }} r
        on r.currency = c.currency and r.rate_date <= d.rate_date
)

select currency || ':' || rate_date as fx_rate_day_id, rate_date, currency, coalesce(rate_to_mxn, (
    -- before the first published rate, the first one
    select rate_to_mxn from {{ ref('fx_rates') }} f where f.currency = usd_like.currency order by rate_date limit 1
)) as rate_to_mxn
from usd_like
union all
select 'MXN:' || rate_date, rate_date, 'MXN', 1.0 from days
