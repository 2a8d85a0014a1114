"""Rate limits hold over time, not only at the first burst: a key (or an address without a valid key) is admitted at
most its rate a minute plus what refilled while it waited, each key has its own bucket, and Retry-After says when
the next request will really be admitted.

The API tests hammer the real app for a couple of seconds and count; the limiter tests drive its clock by hand, so
refill, Retry-After and the cap on bursts are checked to the second without waiting for them.
"""
from __future__ import annotations

import math
import time
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient

from api import security
from api.main import app
from api.security import FAILED_AUTH_PER_MINUTE, RateLimiter

HAMMER_SECONDS = 1.5
URL = "/api/status/sources/"  # 503 in an empty warehouse once admitted: cheap, and never 429 for another reason


def hammer(client: TestClient, seconds: float = HAMMER_SECONDS) -> tuple[list[int], float, int | None]:
    """Requests as fast as one client can for ``seconds``: the statuses, the seconds they spanned, the first Retry-After."""
    statuses, retry_after, start = [], None, time.monotonic()
    while time.monotonic() - start < seconds:
        response = client.get(URL)
        statuses.append(response.status_code)
        if response.status_code == 429 and retry_after is None:
            retry_after = int(response.headers["Retry-After"])
    return statuses, time.monotonic() - start, retry_after


def most_admitted(rate_per_minute: int, seconds: float) -> float:
    """A full bucket, plus what refills at rate_per_minute over the window (bursts are at most a minute's worth)."""
    return rate_per_minute + rate_per_minute * seconds / 60


def test_a_key_is_admitted_at_most_its_rate_a_minute_while_it_keeps_trying(warehouse, api_as):
    client = api_as("analyst", rate=5)
    statuses, elapsed, retry_after = hammer(client)
    admitted = sum(s != 429 for s in statuses)
    assert len(statuses) > 20 and set(statuses) == {503, 429}, statuses  # it did keep trying, and was served at first
    assert statuses[:5] == [503] * 5  # a minute's worth at once
    assert admitted <= most_admitted(5, elapsed), (admitted, elapsed)
    assert retry_after in (11, 12)  # one request in 12 s at 5 a minute (less the time the burst took)
    assert api_as("analyst", rate=5).get(URL).status_code == 503  # another key of the same role: its own bucket


def test_an_address_without_a_valid_key_is_answered_at_most_its_rate_a_minute(warehouse):
    guesser = TestClient(app, client=("198.51.100.23", 50000), headers={"X-API-Key": "hr_0123456789ab_" + "C" * 43})
    statuses, elapsed, _ = hammer(guesser)
    answered = sum(s != 429 for s in statuses)
    assert set(statuses) == {401, 429} and statuses[:FAILED_AUTH_PER_MINUTE] == [401] * FAILED_AUTH_PER_MINUTE
    assert answered <= most_admitted(FAILED_AUTH_PER_MINUTE, elapsed), (answered, elapsed)
    assert TestClient(app, client=("198.51.100.24", 50000)).get(URL).status_code == 401  # another address: its own


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    """The limiter's clock, moved by the test (only api.security sees it)."""
    clock = Clock()
    monkeypatch.setattr(security, "time", SimpleNamespace(monotonic=clock))
    return clock


def test_a_bucket_refills_one_request_per_sixtieth_of_its_rate(clock):
    limiter = RateLimiter()
    assert [limiter.take("k", 6) for _ in range(6)] == [0.0] * 6
    assert limiter.take("k", 6) == pytest.approx(10)  # 6 a minute: one every 10 s
    clock.now += 9.9
    assert limiter.take("k", 6) == pytest.approx(0.1)
    clock.now += 0.1
    assert limiter.take("k", 6) == 0.0
    assert limiter.take("k", 6) == pytest.approx(10)
    clock.now += 30  # three refilled, no more
    assert [limiter.take("k", 6) == 0.0 for _ in range(4)] == [True, True, True, False]


def test_retry_after_is_when_the_next_request_is_admitted(clock):
    limiter = RateLimiter()
    for _ in range(7):
        limiter.take("k", 7)
    clock.now += 2.5  # part of a token refilled
    refused_at, wait = clock.now, limiter.take("k", 7)
    assert wait == pytest.approx(60 / 7 - 2.5)
    clock.now = refused_at + wait - 0.01
    assert limiter.take("k", 7) > 0  # not admitted a moment early...
    clock.now = refused_at + math.ceil(wait)  # ...and admitted after Retry-After (whole seconds, rounded up)
    assert limiter.take("k", 7) == 0.0


def test_an_idle_key_bursts_at_most_a_minute_of_requests(clock):
    limiter = RateLimiter()
    limiter.take("k", 10)
    clock.now += 3600  # an hour idle saves up no more than a full bucket
    admitted = 0
    while limiter.take("k", 10) == 0.0:
        admitted += 1
    assert admitted == 10


def test_keys_have_their_own_buckets_and_pruning_never_refills_a_limited_one(clock):
    limiter = RateLimiter()
    for _ in range(3):
        limiter.take("limited", 3)
    assert limiter.take("limited", 3) > 0
    assert limiter.take("other", 3) == 0.0
    clock.now += 1
    for i in range(RateLimiter.MAX_BUCKETS + 1):  # callers from many addresses make the limiter prune its table
        limiter.take(f"address:{i}", 30)
    assert limiter.take("limited", 3) > 0  # still limited: only buckets idle for a minute (full again) were dropped
