-- Conversions and revenue credited to each campaign and touch channel per month, under each model.
select
    date_trunc('month', converted_date)::date || ':' || business_unit || ':' || campaign_id || ':' || touch_channel
        || ':' || attribution_model || ':' || conversion_type as attribution_summary_id,
    date_trunc('month', converted_date)::date as conversion_month,
    business_unit,
    campaign_id,
    touch_channel,
    attribution_model,
    conversion_type,
    round(sum(credit), 6) as credited_conversions,
    round(sum(revenue_credit_mxn), 2) as credited_revenue_mxn
from {{ ref('fct_attribution_credits') }}
group by all
