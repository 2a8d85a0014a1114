-- Conversions and revenue credited to each campaign and touch channel per month, under each model, with the
-- campaign's name and client (what a client's scope filters on).
select
    {{ month_start('a.converted_date') }} || ':' || a.business_unit || ':' || a.campaign_id || ':' || a.touch_channel
        || ':' || a.attribution_model || ':' || a.conversion_type as attribution_summary_id,
    {{ month_start('a.converted_date') }} as conversion_month,
    a.business_unit,
    a.campaign_id,
    c.campaign_name,
    c.client_id,
    a.touch_channel,
    a.attribution_model,
    a.conversion_type,
    {{ rounded('sum(a.credit)', 6) }} as credited_conversions,
    {{ money('sum(a.revenue_credit_mxn)') }} as credited_revenue_mxn
from {{ ref('fct_attribution_credits') }} a
left join {{ ref('dim_campaigns') }} c using (campaign_id)
group by all
