-- Notification status changes: sent, delivered, opened, clicked, failed (seed table notifications).
select
    event_id,
    {{ json_text('event_json', 'payload.notification_id') }} as notification_id,
    candidate_id as recipient_id,
    campaign_id,
    business_unit,
    replace(event_type, 'notification.', '') as status,
    {{ json_text('event_json', 'payload.channel') }} as channel,
    {{ json_text('event_json', 'payload.template_id') }} as template_id,
    {{ json_text('event_json', 'payload.failure_reason') }} as failure_reason,
    occurred_at
from ({{ ats_events(['notification.sent', 'notification.delivered', 'notification.opened', 'notification.clicked', 'notification.failed']) }})
