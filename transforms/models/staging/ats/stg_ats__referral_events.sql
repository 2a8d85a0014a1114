-- Referrals: invited, converted, reward issued (seed tables referrals and rewards).
select
    event_id,
    {{ json_text('event_json', 'payload.referral_id') }} as referral_id,
    {{ json_text('event_json', 'payload.referrer_id') }} as referrer_id,
    {{ json_text('event_json', 'payload.referred_candidate_id') }} as referred_candidate_id,
    business_unit,
    replace(event_type, 'referral.', '') as status,
    {{ json_text('event_json', 'payload.reward_type') }} as reward_type,
    ({{ json_text('event_json', 'payload.reward_value') }})::double as reward_value,
    occurred_at
from ({{ ats_events(['referral.invited', 'referral.converted', 'referral.reward_issued']) }})
