-- Referrers ranked within their BU by converted referrals (then invitations).
with by_referrer as (
    select
        referrer_id,
        {{ any_of('business_unit') }} as business_unit,
        count(distinct referral_id) filter (where status = 'invited') as invited,
        count(distinct referral_id) filter (where status = 'converted') as converted,
        coalesce(sum(reward_value) filter (where status = 'reward_issued'), 0) as reward_value
    from {{ ref('stg_ats__referral_events') }}
    group by referrer_id
)

select
    referrer_id,
    business_unit,
    invited,
    converted,
    reward_value,
    rank() over (partition by business_unit order by converted desc, invited desc) as rank_in_business_unit,
    {{ metrics('referrals') }}
from by_referrer
