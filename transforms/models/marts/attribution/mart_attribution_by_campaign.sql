-- Conversions and revenue credited to each campaign and touch channel per month, under each model, with the
-- campaign's name and client (what a client's scope filters on).
select
    date_trunc('month', a.converted_date)::date || ':' || a.business_unit || ':' || a.campaign_id || ':' || a.touch_channel
        || ':' || a.attribution_model || ':' || a.conversion_type as attribution_summary_id,
    date_trunc('month', a.converted_date)::date as conversion_month,
    a.business_unit,
    a.campaign_id,
    c.campaign_name,
    c.client_id,
    a.touch_channel,
    a.attribution_model,
    a.conversion_type,
    round(sum(a.credit), 6) as credited_conversions,
    round(sum(a.revenue_credit_mxn), 2) as credited_revenue_mxn
from {{ ref('fct_attribution_credits') }} a
left join {{ ref('dim_campaigns') }} c using (campaign_id)
group by all
