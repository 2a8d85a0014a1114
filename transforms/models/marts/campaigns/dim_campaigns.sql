-- One row per campaign: its plan (owner, objective, dates, budget in MXN at the start day's rate) and its status
-- on the data's newest day - 'scheduled' before it starts, 'finished' after it ends, else 'active'. The newest day
-- is the newest campaign metric, so a re-run on the same data gives the same status.
with as_of as (
    select max(metric_date) as as_of from {{ ref('fct_campaign_channel_daily') }}
)

select
    c.campaign_id,
    c.campaign_name,
    c.business_unit,
    c.client_id,
    c.objective,
    c.start_date,
    c.end_date,
    {{ to_mxn('c.budget', 'fx.rate_to_mxn') }} as budget_mxn,
    case when c.start_date > as_of.as_of then 'scheduled'
         when c.end_date < as_of.as_of then 'finished'
         else 'active' end as status
from {{ ref('stg_ats__campaigns') }} c
cross join as_of
left join {{ ref('int_fx_rates__daily') }} fx on fx.currency = c.budget_currency and fx.rate_date = c.start_date
