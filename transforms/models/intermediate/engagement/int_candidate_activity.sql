-- Things a candidate did themselves (not things done to them), one row per event.
select event_id, candidate_id, business_unit, occurred_at, event_type
from {{ ref('stg_ats__events') }}
where candidate_id is not null
  and event_type in (
      'chatbot.conversation_started', 'chatbot.message', 'workflow.stage_changed',
      'assessment.submitted', 'referral.invited', 'notification.opened', 'notification.clicked'
  )
  -- a stage change is the candidate's own act only when they apply
  and (event_type <> 'workflow.stage_changed'
       or event_id in (select event_id from {{ ref('stg_ats__application_stage_changes') }} where to_stage = 'applied'))
  -- chatbot messages count when the candidate wrote them
  and (event_type <> 'chatbot.message'
       or event_id in (select event_id from {{ ref('stg_ats__chat_messages') }} where sender = 'candidate'))
