-- Notification funnel per month (of sending), BU, channel and template: sent, delivered,
-- opened, clicked, failed. Each notification counts once per status it reached, in the month
-- it was sent, so opened <= delivered <= sent even across a month boundary.
with notifications as (
    select
        notification_id,
        {{ any_of('business_unit') }} as business_unit,
        {{ any_of('channel') }} as channel,
        {{ any_of('template_id') }} as template_id,
        min(occurred_at) as first_seen_at,
        bool_or(status = 'sent') as was_sent,
        bool_or(status = 'delivered') as was_delivered,
        bool_or(status = 'opened') as was_opened,
        bool_or(status = 'clicked') as was_clicked,
        bool_or(status = 'failed') as was_failed
    from {{ ref('stg_ats__notification_events') }}
    group by notification_id
),

counts as (
    select
        {{ month_start(local_date('first_seen_at')) }} as activity_month,
        business_unit,
        channel,
        template_id,
        -- a notification seen delivered was sent even if its 'sent' event was quarantined
        count(*) filter (where was_sent or was_delivered or was_failed) as sent,
        count(*) filter (where was_delivered or was_opened or was_clicked) as delivered,
        count(*) filter (where was_opened or was_clicked) as opened,
        count(*) filter (where was_clicked) as clicked,
        count(*) filter (where was_failed) as failed
    from notifications
    group by all
)

select activity_month || ':' || business_unit || ':' || channel || ':' || template_id as notification_month_id,
       *, {{ metrics('notifications') }}
from counts
