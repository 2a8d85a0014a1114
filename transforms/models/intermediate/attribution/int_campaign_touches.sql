-- Campaign touches of a candidate: campaign notifications that reached them (delivered,
-- opened, clicked) and the application itself (through its source channel).
-- Deduplicated across channels: the same candidate touched by the same campaign on the
-- same day through several channels (an e-mail and a WhatsApp of one push) is one touch,
-- dated and channelled by the first of them.
with notification_touches as (
    select recipient_id as candidate_id, campaign_id, channel as touch_channel, occurred_at as touched_at
    from {{ ref('stg_ats__notification_events') }}
    where status in ('delivered', 'opened', 'clicked') and campaign_id is not null and recipient_id is not null
),

application_touches as (
    select candidate_id, campaign_id, source_channel as touch_channel, applied_at as touched_at
    from {{ ref('int_applications') }}
    where campaign_id is not null
),

all_touches as (
    select * from notification_touches
    union all
    select * from application_touches
),

dated as (
    select *, {{ local_date('touched_at') }} as touch_date from all_touches
)

select candidate_id || ':' || campaign_id || ':' || touch_date as touch_id, candidate_id, campaign_id, touch_channel,
       touched_at, touch_date
from (
    select *, row_number() over (partition by candidate_id, campaign_id, touch_date order by touched_at, touch_channel) as nth
    from dated
) ranked
where nth = 1
