-- Credit of each conversion (an application, or the hire it led to) to the campaign
-- touches before it, under five models. The path of a conversion is the candidate's
-- touches in the {{ var('attribution_lookback_days') }} days up to the application (a hire is credited to
-- the touches that brought its application). Credits of one conversion sum to 1 under
-- every model (tested); the paid placement fee of a hire (int_hire_revenue) is split by the same credits.
-- A campaign run for a client (huntRED Solutions) earns credit only for conversions into that client's own vacancies:
-- its touches are left out of the path of an application to another company, so a client's attributed revenue is
-- never money another client paid.
with conversions as (
    select application_id || ':application' as conversion_id, 'application' as conversion_type,
           application_id, candidate_id, business_unit, vacancy_client_id, applied_at, applied_at as converted_at,
           0.0e0 as revenue_mxn
    from {{ ref('int_applications') }}
    union all
    select a.application_id || ':hire', 'hire', a.application_id, a.candidate_id, a.business_unit, a.vacancy_client_id,
           a.applied_at, a.hired_at, coalesce(r.revenue_mxn, 0)
    from {{ ref('int_applications') }} a
    left join {{ ref('int_hire_revenue') }} r using (application_id)
    where a.hired_at is not null
),

paths as (
    select
        c.*,
        t.campaign_id,
        t.touch_channel,
        t.touched_at,
        row_number() over (partition by c.conversion_id order by t.touched_at, t.campaign_id) as touch_position,
        count(*) over (partition by c.conversion_id) as touches_in_path,
        {{ days_elapsed('t.touched_at', 'c.applied_at') }} as days_before_application
    from conversions c
    join {{ ref('int_campaign_touches') }} t
        on t.candidate_id = c.candidate_id
        and t.touched_at <= c.applied_at
        and t.touched_at >= c.applied_at - interval '{{ var('attribution_lookback_days') }}' day
    left join {{ ref('stg_ats__campaigns') }} cmp on cmp.campaign_id = t.campaign_id
    where cmp.client_id is null or cmp.client_id = c.vacancy_client_id
),

weighted as (
    select
        *,
        pow(0.5e0, days_before_application / {{ var('time_decay_half_life_days') }}) as decay_weight
    from paths
),

credits as (
    select *, 'first_touch' as attribution_model, (touch_position = 1)::int::double as credit from weighted
    union all
    select *, 'last_touch', (touch_position = touches_in_path)::int::double from weighted
    union all
    select *, 'linear', 1.0e0 / touches_in_path from weighted
    union all
    select *, 'time_decay', decay_weight / sum(decay_weight) over (partition by conversion_id) from weighted
    union all
    select *, 'position_based', case
        when touches_in_path = 1 then 1.0e0
        when touches_in_path = 2 then 0.5e0
        when touch_position in (1, touches_in_path) then {{ var('position_based_ends') }}
        else (1 - 2 * {{ var('position_based_ends') }}) / (touches_in_path - 2)
    end from weighted
)

select
    conversion_id || ':' || attribution_model || ':' || touch_position as attribution_credit_id,
    conversion_id,
    conversion_type,
    application_id,
    candidate_id,
    business_unit,
    converted_at,
    {{ local_date('converted_at') }} as converted_date,
    attribution_model,
    campaign_id,
    touch_channel,
    touched_at,
    touch_position,
    touches_in_path,
    credit,
    {{ money('credit * revenue_mxn') }} as revenue_credit_mxn
from credits
