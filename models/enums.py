"""Closed vocabularies of the huntRED domain (seed document, sections 2, 13.1, 13.18-13.22).

Codes are stable snake_case identifiers stored in the warehouse; display names are
what people read. dbt ``accepted_values`` tests are checked against these enums.
"""
from __future__ import annotations

from enum import StrEnum


class BusinessUnit(StrEnum):
    HUNTRED_EXECUTIVE = "huntred_executive"
    HUNTRED = "huntred"
    HUNTRED_INSPIRATION = "huntred_inspiration"
    HUNTRED_EXPERIENCE = "huntred_experience"
    HUNTU = "huntu"
    AMIGRO = "amigro"
    HUNTRED_SOLUTIONS = "huntred_solutions"


BUSINESS_UNIT_NAMES: dict[BusinessUnit, str] = {
    BusinessUnit.HUNTRED_EXECUTIVE: "huntRED executive",
    BusinessUnit.HUNTRED: "huntRED",
    BusinessUnit.HUNTRED_INSPIRATION: "huntRED Inspiration",
    BusinessUnit.HUNTRED_EXPERIENCE: "huntRED Experience",
    BusinessUnit.HUNTU: "huntU",
    BusinessUnit.AMIGRO: "amigro",
    BusinessUnit.HUNTRED_SOLUTIONS: "huntRED Solutions",
}


class Channel(StrEnum):
    """Marketing and publishing channels (seed 13.4): job boards, social, messaging, web."""

    LINKEDIN = "linkedin"
    INDEED = "indeed"
    OCC = "occ"
    GLASSDOOR = "glassdoor"
    MONSTER = "monster"
    WHATSAPP = "whatsapp"
    TELEGRAM = "telegram"
    EMAIL = "email"
    WEB = "web"


CHANNEL_NAMES: dict[Channel, str] = {
    Channel.LINKEDIN: "LinkedIn",
    Channel.INDEED: "Indeed",
    Channel.OCC: "OCC Mundial",
    Channel.GLASSDOOR: "Glassdoor",
    Channel.MONSTER: "Monster",
    Channel.WHATSAPP: "WhatsApp",
    Channel.TELEGRAM: "Telegram",
    Channel.EMAIL: "Email",
    Channel.WEB: "Web",
}

#: Channels whose exports report message delivery (sends, deliveries, reads, replies)
#: rather than ad delivery (impressions, reach, clicks).
MESSAGING_CHANNELS: frozenset[Channel] = frozenset({Channel.WHATSAPP, Channel.TELEGRAM, Channel.EMAIL})


class CampaignPhase(StrEnum):
    EXPECTATIVA = "expectativa"
    LANZAMIENTO = "lanzamiento"
    CONSOLIDACION = "consolidacion"
    RETARGETING = "retargeting"


PHASE_NAMES: dict[CampaignPhase, str] = {
    CampaignPhase.EXPECTATIVA: "Expectativa",
    CampaignPhase.LANZAMIENTO: "Lanzamiento",
    CampaignPhase.CONSOLIDACION: "Consolidación",
    CampaignPhase.RETARGETING: "Retargeting",
}


class CampaignObjective(StrEnum):
    CANDIDATE_ATTRACTION = "candidate_attraction"
    CLIENT_ATTRACTION = "client_attraction"
    AWARENESS = "awareness"
    ENGAGEMENT = "engagement"
    CONVERSION = "conversion"


class ApplicationStage(StrEnum):
    """Workflow stages of an application, in funnel order; ``rejected`` can follow any stage."""

    APPLIED = "applied"
    SCREENED = "screened"
    INTERVIEWED = "interviewed"
    OFFERED = "offered"
    HIRED = "hired"
    REJECTED = "rejected"


class Currency(StrEnum):
    MXN = "MXN"
    USD = "USD"


class RevenueStream(StrEnum):
    """What a Stripe invoice bills (its metadata's ``kind``): how huntRED earns."""

    PLACEMENT_FEE = "placement_fee"  # a share of a hire's first-year salary, invoiced to the client when the hire starts
    SUBSCRIPTION = "subscription"  # monthly platform seats and retainers
    CONSULTING_FEE = "consulting_fee"  # huntRED Solutions' projects
    OTHER = "other"  # an invoice that names none of these


class Language(StrEnum):
    ES = "es"
    EN = "en"


class ConversationChannel(StrEnum):
    """Where the chatbot talks (seed 13.20)."""

    WHATSAPP = "whatsapp"
    TELEGRAM = "telegram"
    WEB = "web"
    EMAIL = "email"
    SLACK = "slack"
    SMS = "sms"


class MessageSender(StrEnum):
    CANDIDATE = "candidate"
    BOT = "bot"
    AGENT = "agent"


class ChatIntent(StrEnum):
    GREETING = "greeting"
    JOB_SEARCH = "job_search"
    APPLY_JOB = "apply_job"
    SALARY_QUESTION = "salary_question"
    INTERVIEW_SCHEDULING = "interview_scheduling"
    APPLICATION_STATUS = "application_status"
    ASSESSMENT_HELP = "assessment_help"
    FAQ = "faq"
    HUMAN_HANDOFF = "human_handoff"
    UNKNOWN = "unknown"


class ConversationOutcome(StrEnum):
    RESOLVED = "resolved"
    ABANDONED = "abandoned"
    HANDED_TO_HUMAN = "handed_to_human"


class NotificationChannel(StrEnum):
    EMAIL = "email"
    WHATSAPP = "whatsapp"
    TELEGRAM = "telegram"
    SMS = "sms"
    PUSH = "push"
    SLACK = "slack"


class AssessmentType(StrEnum):
    TECHNICAL = "technical"
    CULTURAL = "cultural"
    PSYCHOMETRIC = "psychometric"
    FEEDBACK_360 = "feedback_360"


class RewardType(StrEnum):
    POINTS = "points"
    GIFT_CARD = "gift_card"
    CASH_BONUS = "cash_bonus"


class SourceFamily(StrEnum):
    """The four landing-zone source families (one folder each under ``landing/``)."""

    ATS_EVENTS = "ats_events"
    CHANNEL_METRICS = "channel_metrics"
    STRIPE = "stripe"
    SCRAPED_CANDIDATES = "scraped_candidates"


class QuarantineReason(StrEnum):
    """Why a record was kept out of ``raw``; each comes with a sentence in ``reason``."""

    MALFORMED = "malformed"  # not parseable as JSON / CSV / PDF ...
    MISSING_FIELD = "missing_field"  # a required field or id is absent or empty
    UNKNOWN_VALUE = "unknown_value"  # a value outside its closed vocabulary
    UNKNOWN_REFERENCE = "unknown_reference"  # names a campaign/candidate not delivered (yet): held, loaded once it is
    INVALID_VALUE = "invalid_value"  # wrong type, negative count, bad date ...
    DUPLICATE = "duplicate"  # the same natural key was already delivered
    BAD_SIGNATURE = "bad_signature"  # a Stripe webhook that failed verification
    NO_TEXT_LAYER = "no_text_layer"  # a PDF with pages but no text (a scan): needs OCR or the original
