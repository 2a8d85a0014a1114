"""ATS event contract: one JSON object per line of ``landing/ats_events/**.jsonl``.

The envelope is shared by every module; ``payload`` is specific to ``event_type``
(a discriminated union, so an unknown type is reported as such, not as forty
unrelated field errors).
"""
from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, model_validator
from pydantic_core import PydanticCustomError

from models.enums import (
    ApplicationStage,
    AssessmentType,
    BusinessUnit,
    CampaignObjective,
    CampaignPhase,
    Channel,
    ChatIntent,
    ConversationChannel,
    ConversationOutcome,
    Currency,
    Language,
    MessageSender,
    NotificationChannel,
    RewardType,
)
from models.plausible import PlausibleInstant

NonEmptyId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")]


class _Payload(BaseModel):
    # Extra keys are tolerated (the raw line is stored whole, so nothing is lost);
    # the declared ones are what staging relies on.
    model_config = ConfigDict(extra="allow", frozen=True)


# --- chatbot (seed 2.1 / 13.20) --------------------------------------------------
class ConversationStarted(_Payload):
    conversation_id: NonEmptyId
    channel: ConversationChannel
    language: Language


class ChatMessage(_Payload):
    conversation_id: NonEmptyId
    message_id: NonEmptyId
    sender: MessageSender
    intent: ChatIntent
    score: float = Field(ge=0, le=1, description="Intent classifier confidence.")
    language: Language
    content: str = Field(max_length=4000)


class ConversationEnded(_Payload):
    conversation_id: NonEmptyId
    outcome: ConversationOutcome
    message_count: int = Field(ge=0)


# --- publish (seed 13.1 / 13.18) ---------------------------------------------------
class PhasePlan(BaseModel):
    model_config = ConfigDict(frozen=True)
    phase: CampaignPhase
    start_date: date
    end_date: date

    @model_validator(mode="after")
    def _ordered(self) -> "PhasePlan":
        if self.end_date < self.start_date:
            raise ValueError(f"phase {self.phase} ends ({self.end_date}) before it starts ({self.start_date})")
        return self


class CampaignCreated(_Payload):
    campaign_id: NonEmptyId
    name: str = Field(min_length=1, max_length=200)
    objective: CampaignObjective
    budget: float = Field(ge=0)
    currency: Currency
    channels: list[Channel] = Field(min_length=1)
    phases: list[PhasePlan] = Field(min_length=1)
    client_id: NonEmptyId | None = Field(None, description="huntRED Solutions client the campaign runs for.")


class PhaseStarted(_Payload):
    campaign_id: NonEmptyId
    phase: CampaignPhase


class PostPublished(_Payload):
    post_id: NonEmptyId
    campaign_id: NonEmptyId
    channel: Channel
    phase: CampaignPhase
    language: Language


class VacancyPublished(_Payload):
    """A vacancy opened by a campaign: what matching ranks candidates for."""

    vacancy_id: NonEmptyId
    campaign_id: NonEmptyId
    client_id: NonEmptyId | None = Field(None, description="The company the vacancy is filled for; it pays the placement fee.")
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(min_length=1, max_length=8000)
    required_skills: list[str] = Field(default_factory=list, max_length=50)
    min_years_experience: int = Field(ge=0, le=60)
    state: str = Field(min_length=1, max_length=100)
    city: str | None = Field(None, max_length=100)
    salary_min: float | None = Field(None, ge=0)
    salary_max: float | None = Field(None, ge=0)
    currency: Currency
    language: Language

    @model_validator(mode="after")
    def _salary_range(self) -> "VacancyPublished":
        if self.salary_min is not None and self.salary_max is not None and self.salary_max < self.salary_min:
            raise ValueError(f"salary_max ({self.salary_max}) is below salary_min ({self.salary_min})")
        return self


# --- notifications (seed 13.19) ----------------------------------------------------
class NotificationStatusPayload(_Payload):
    notification_id: NonEmptyId
    channel: NotificationChannel
    template_id: NonEmptyId
    failure_reason: str | None = None


# --- proposals (seed 2.5) ----------------------------------------------------------
class ProposalPayload(_Payload):
    proposal_id: NonEmptyId
    client_id: NonEmptyId
    amount: float = Field(ge=0)
    currency: Currency


# --- assessments (seed 13.22) ------------------------------------------------------
class AssessmentPayload(_Payload):
    assessment_id: NonEmptyId
    assessment_type: AssessmentType
    score: float | None = Field(None, ge=0, le=100)


# --- referral (seed 2.7) -----------------------------------------------------------
class ReferralPayload(_Payload):
    referral_id: NonEmptyId
    referrer_id: NonEmptyId
    referred_candidate_id: NonEmptyId | None = None
    reward_type: RewardType | None = None
    reward_value: float | None = Field(None, ge=0)


# --- gamification (seed 2.8) -------------------------------------------------------
class PointsAwarded(_Payload):
    points: int = Field(gt=0)
    action: str = Field(min_length=1, max_length=64)


class AchievementUnlocked(_Payload):
    achievement_type: str = Field(min_length=1, max_length=64)


class LevelReached(_Payload):
    level: int = Field(ge=1)
    level_name: str


# --- workflow (seed 13.21) ---------------------------------------------------------
class StageChanged(_Payload):
    application_id: NonEmptyId
    vacancy_id: NonEmptyId
    from_stage: ApplicationStage | None
    to_stage: ApplicationStage
    source_channel: Channel


class _Envelope(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    event_id: NonEmptyId
    occurred_at: PlausibleInstant = Field(description="ISO-8601 with a zone, from 2000 to a day ahead; stored in UTC.")
    business_unit: BusinessUnit
    candidate_id: NonEmptyId | None = None
    campaign_id: NonEmptyId | None = None


def _event(type_name: str, payload_model: type[BaseModel], *, needs_candidate: bool) -> type[_Envelope]:
    """Build the envelope model of one event type (same envelope, own payload)."""
    required = needs_candidate

    class _Event(_Envelope):
        #: on the class, so ingestion's fast decoder (ingest/fast_contract.py) reads the flag the validator below reads
        needs_candidate: ClassVar[bool] = required
        event_type: Literal[type_name]  # type: ignore[valid-type]
        payload: payload_model  # type: ignore[valid-type]

        @model_validator(mode="after")
        def _candidate_present(self):
            if type(self).needs_candidate and not self.candidate_id:
                raise PydanticCustomError("missing_id", "{event_type} events must name the candidate (candidate_id is missing)", {"event_type": type_name})
            return self

    _Event.__name__ = "".join(p.capitalize() for p in type_name.replace(".", "_").split("_")) + "Event"
    return _Event


#: event_type -> (module, payload model, candidate required)
EVENT_TYPES: dict[str, tuple[str, type[BaseModel], bool]] = {
    "chatbot.conversation_started": ("chatbot", ConversationStarted, True),
    "chatbot.message": ("chatbot", ChatMessage, True),
    "chatbot.conversation_ended": ("chatbot", ConversationEnded, True),
    "publish.campaign_created": ("publish", CampaignCreated, False),
    "publish.phase_started": ("publish", PhaseStarted, False),
    "publish.post_published": ("publish", PostPublished, False),
    "publish.vacancy_published": ("publish", VacancyPublished, False),
    "notification.sent": ("notifications", NotificationStatusPayload, True),
    "notification.delivered": ("notifications", NotificationStatusPayload, True),
    "notification.opened": ("notifications", NotificationStatusPayload, True),
    "notification.clicked": ("notifications", NotificationStatusPayload, True),
    "notification.failed": ("notifications", NotificationStatusPayload, True),
    "proposal.created": ("proposals", ProposalPayload, False),
    "proposal.sent": ("proposals", ProposalPayload, False),
    "proposal.signed": ("proposals", ProposalPayload, False),
    "assessment.created": ("assessments", AssessmentPayload, True),
    "assessment.submitted": ("assessments", AssessmentPayload, True),
    "assessment.scored": ("assessments", AssessmentPayload, True),
    "referral.invited": ("referral", ReferralPayload, False),
    "referral.converted": ("referral", ReferralPayload, True),
    "referral.reward_issued": ("referral", ReferralPayload, False),
    "gamification.points_awarded": ("gamification", PointsAwarded, True),
    "gamification.achievement_unlocked": ("gamification", AchievementUnlocked, True),
    "gamification.level_reached": ("gamification", LevelReached, True),
    "workflow.stage_changed": ("workflow", StageChanged, True),
}

EVENT_MODELS: dict[str, type[_Envelope]] = {
    name: _event(name, payload, needs_candidate=needs) for name, (_, payload, needs) in EVENT_TYPES.items()
}
MODULES: tuple[str, ...] = tuple(sorted({module for module, _, _ in EVENT_TYPES.values()}))

AtsEvent = Annotated[Union[tuple(EVENT_MODELS.values())], Field(discriminator="event_type")]  # type: ignore[misc]
#: Validates one raw JSON line (malformed JSON is reported as a validation error too).
ATS_EVENT_ADAPTER: TypeAdapter = TypeAdapter(AtsEvent)
