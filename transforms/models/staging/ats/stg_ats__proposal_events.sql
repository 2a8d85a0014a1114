-- Commercial proposals to clients: created, sent, signed (seed table proposals).
select
    event_id,
    {{ json_text('event_json', 'payload.proposal_id') }} as proposal_id,
    {{ json_text('event_json', 'payload.client_id') }} as client_id,
    business_unit,
    replace(event_type, 'proposal.', '') as status,
    ({{ json_text('event_json', 'payload.amount') }})::decimal(18, 2) as amount,
    {{ json_text('event_json', 'payload.currency') }} as currency,
    occurred_at
from ({{ ats_events(['proposal.created', 'proposal.sent', 'proposal.signed']) }})
