"""Scraped SmartRecruiters candidates: a ``candidates.json`` per batch plus one CV file each.

Field names follow SmartRecruiters' candidate resource (id, firstName, lastName,
email, phone, location, primaryAssignment, experience, education, tags, createdOn).
"""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from models.plausible import PlausibleInstant

SR_STATUSES = ("LEAD", "NEW", "IN_REVIEW", "INTERVIEW", "OFFERED", "HIRED", "REJECTED", "WITHDRAWN")


class _SR(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True, populate_by_name=True)


class SRLocation(_SR):
    city: str | None = None
    region: str | None = None
    country: str | None = None


class SRJobRef(_SR):
    id: str = Field(min_length=1)
    title: str


class SRAssignment(_SR):
    job: SRJobRef
    status: Literal[SR_STATUSES]  # type: ignore[valid-type]


class SRExperience(_SR):
    title: str
    company: str | None = None
    start: str | None = None
    end: str | None = None
    current: bool = False
    description: str | None = None


class SREducation(_SR):
    institution: str
    degree: str | None = None
    major: str | None = None
    start: str | None = None
    end: str | None = None


class SRResume(_SR):
    fileName: str = Field(min_length=1)
    contentType: str


class ScrapedCandidate(_SR):
    id: str = Field(min_length=1, max_length=64)
    firstName: str = Field(min_length=1)
    lastName: str = Field(min_length=1)
    email: EmailStr
    phone: str | None = None
    location: SRLocation | None = None
    primaryAssignment: SRAssignment | None = None
    experience: list[SRExperience] = Field(default_factory=list)
    education: list[SREducation] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    createdOn: PlausibleInstant
    resume: SRResume | None = None


class ScrapedBatch(_SR):
    """The page a scraper leaves behind, shaped like SmartRecruiters' list response."""

    totalFound: int = Field(ge=0)
    offset: int = Field(0, ge=0)
    limit: int = Field(ge=0)
    content: list[dict]
