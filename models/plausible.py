"""When a record can have happened: the window every source's timestamps must fall in.

A date outside it is a typo or a broken clock, not data (year 9999 overflowed churn
features; an event "from 1970" would open a fifty-year campaign). Such a record is
quarantined as ``invalid_value`` at ingestion and refused at the API's door, so it
never reaches staging. Records may be dated up to a day ahead: clocks drift, and a
zone like +14:00 is already tomorrow in Mexico City.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime
from pydantic_core import PydanticCustomError

EARLIEST = datetime(2000, 1, 1, tzinfo=timezone.utc)
FUTURE_TOLERANCE = timedelta(days=1)


def latest(now: datetime | None = None) -> datetime:
    return (now or datetime.now(timezone.utc)) + FUTURE_TOLERANCE


def implausible(moment: datetime, now: datetime | None = None) -> str | None:
    """Why an aware timestamp cannot be a real record's time, or None when it can."""
    if moment < EARLIEST:
        return f"is before {EARLIEST:%Y-%m-%d}, earlier than any record the platform takes"
    if moment > latest(now):
        return "is more than a day in the future"
    return None


def implausible_unix(seconds: int, now_seconds: float | None = None) -> str | None:
    """Why Unix seconds cannot be a real record's time (compared as numbers: a huge value is no date at all)."""
    now_seconds = datetime.now(timezone.utc).timestamp() if now_seconds is None else now_seconds
    if seconds < EARLIEST.timestamp():
        return f"{seconds} (Unix seconds) is before {EARLIEST:%Y-%m-%d}, earlier than any record the platform takes"
    if seconds > now_seconds + FUTURE_TOLERANCE.total_seconds():
        return f"{seconds} (Unix seconds) is more than a day after it arrived"
    return None


def _check(moment: datetime) -> datetime:
    problem = implausible(moment)
    if problem:
        raise PydanticCustomError("implausible_time", "{when} {problem}", {"when": moment.isoformat(), "problem": problem})
    return moment


def _check_unix(seconds: int) -> int:
    problem = implausible_unix(seconds)
    if problem:
        raise PydanticCustomError("implausible_time", "{problem}", {"problem": problem})
    return seconds


#: An ISO-8601 timestamp with a zone, inside the plausible window.
PlausibleInstant = Annotated[AwareDatetime, AfterValidator(_check)]
#: Unix seconds (as Stripe sends them), inside the plausible window.
PlausibleUnixSeconds = Annotated[int, AfterValidator(_check_unix)]
