-- Candidate activity, defined once: things a candidate did themselves (not things done to them), one row per event.
-- Everything that says "active" reads this model - the engagement marts (active candidates per day and week,
-- cohort retention), fct_candidate_activity_daily, and the churn model's activity features and its label
-- (ml/churn/features.py). Not activity: notifications sent or delivered to them, gamification points, badges and
-- levels awarded to them, a recruiter moving their application past 'applied', messages the bot or an agent wrote.
-- delivery_lag_days (how late the event was delivered) lets the churn features use only what was known at a cutoff.
select event_id, candidate_id, business_unit, occurred_at, event_type, delivery_lag_days
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
