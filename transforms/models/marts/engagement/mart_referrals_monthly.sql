-- Referral invitations and conversions per month (of the invitation) and BU, with rewards issued.
with referrals as (
    select
        referral_id,
        {{ any_of('business_unit') }} as business_unit,
        min(occurred_at) filter (where status = 'invited') as invited_at,
        bool_or(status = 'converted') as is_converted,
        coalesce(sum(reward_value) filter (where status = 'reward_issued'), 0) as reward_value
    from {{ ref('stg_ats__referral_events') }}
    group by referral_id
),

monthly as (
    select
        {{ month_start(local_date('invited_at')) }} as activity_month,
        business_unit,
        count(*) as invited,
        count(*) filter (where is_converted) as converted,
        sum(reward_value) as reward_value
    from referrals
    where invited_at is not null
    group by all
)

select activity_month || ':' || business_unit as referral_month_id, *, {{ metrics('referrals') }}
from monthly
