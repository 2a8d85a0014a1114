"""Who is calling: API key → role and scope, per-key rate limit, and what the audit log records of them.

Every data route depends on ``caller("<capability>")``: a missing or unknown key is
401, a role without the capability 403, a key over its rate 429 with Retry-After.
The scope of the key (BU or client) is handed to the read functions, which put it
in their SQL. Requests without a valid key are limited per client address, and the
key is checked before the body is read (``api.common.ApiRoute``).
"""
from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader

from access.api_keys import ApiKey, KeyStore
from access.policy import Scope
from foundation.settings import get_settings

API_KEY_HEADER = APIKeyHeader(name="X-API-Key", auto_error=False,
                              description="An API key from `huntred keys create --role ROLE [--bu BU | --client ID]`.")


class ApiProblem(Exception):
    """An HTTP error with a sentence a person understands (rendered as application/problem+json)."""

    def __init__(self, status: int, title: str, detail: str, headers: dict[str, str] | None = None, **extra) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail, self.headers, self.extra = status, title, detail, headers or {}, extra


@dataclass(frozen=True)
class Caller:
    key: ApiKey

    @property
    def scope(self) -> Scope:
        return self.key.scope

    @property
    def sees_pii(self) -> bool:
        return self.key.sees_pii

    def pii_key(self) -> str:
        return get_settings().require_pseudonym_key()


class RateLimiter:
    """A token bucket per key (or client address): ``rate`` requests a minute, bursts up to a minute's worth."""

    MAX_BUCKETS = 10_000

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}  # key id or address -> (tokens, monotonic time)
        self._prune_above = self.MAX_BUCKETS

    def _prune(self, now: float) -> None:
        # A bucket untouched for a minute is full again, the same as no bucket: dropping it loses nothing, and keeps
        # callers from many addresses from growing the table without end. Amortized: next prune at twice the size left.
        self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < 60}
        self._prune_above = max(self.MAX_BUCKETS, 2 * len(self._buckets))

    def take(self, key_id: str, rate_per_minute: int) -> float:
        """0 when the request may go ahead, else seconds until it may."""
        now = time.monotonic()
        per_second = rate_per_minute / 60
        with self._lock:
            if len(self._buckets) > self._prune_above:
                self._prune(now)
            tokens, then = self._buckets.get(key_id, (float(rate_per_minute), now))
            tokens = min(float(rate_per_minute), tokens + (now - then) * per_second)
            if tokens >= 1:
                self._buckets[key_id] = (tokens - 1, now)
                return 0.0
            self._buckets[key_id] = (tokens, now)
            return (1 - tokens) / per_second


_stores: dict[str, KeyStore] = {}
_limiter = RateLimiter()


def _store() -> KeyStore:
    path = get_settings().api_keys_path
    store = _stores.get(str(path))
    if store is None:
        store = _stores.setdefault(str(path), KeyStore(path))
    return store


#: requests a minute a client address may make without a valid key: enough for a person fixing a typo, while
#: guessing keys, or a client stuck on a revoked one, gets 429s (which are not audited) instead of filling the audit log
FAILED_AUTH_PER_MINUTE = 30


def authenticate(request: Request) -> ApiKey:
    """The caller's key, checked once per request: 401 without a valid one, 429 when its address keeps trying."""
    key = getattr(request.state, "caller", None)
    if key is not None:
        return key
    token = request.headers.get(API_KEY_HEADER.model.name)
    key = _store().verify(token) if token else None
    if key is None:
        address = request.client.host if request.client else "unknown"
        wait = _limiter.take(f"address:{address}", FAILED_AUTH_PER_MINUTE)
        if wait:
            raise ApiProblem(429, "Too many requests without a valid key",
                             f"This address made over {FAILED_AUTH_PER_MINUTE} requests a minute without a valid API key; "
                             f"try again in {math.ceil(wait)} s, with a valid key in the X-API-Key header.",
                             {"Retry-After": str(math.ceil(wait))})
        if not token:
            raise ApiProblem(401, "API key required", "This endpoint needs an API key in the X-API-Key header; "
                             "create one with `huntred keys create --role ROLE`.", {"WWW-Authenticate": "X-API-Key"})
        raise ApiProblem(401, "Unknown API key", "The API key is not valid or has been revoked; ask an admin for a new one.",
                         {"WWW-Authenticate": "X-API-Key"})
    request.state.caller = key
    return key


def caller(capability: str):
    """The dependency that admits callers whose key's role has ``capability``."""

    def admit(request: Request, token: str | None = Depends(API_KEY_HEADER)) -> Caller:
        # `token` declares the header in the OpenAPI document; authenticate reads it (usually already did, see ApiRoute)
        key = authenticate(request)
        wait = _limiter.take(key.key_id, key.rate_per_minute)
        if wait:
            raise ApiProblem(429, "Too many requests", f"This key may make {key.rate_per_minute} requests a minute; "
                             f"try again in {math.ceil(wait)} s.", {"Retry-After": str(math.ceil(wait))})
        if not key.may(capability):
            raise ApiProblem(403, "Not allowed", f"The {key.role} role may not use this endpoint ({capability}).")
        return Caller(key)

    admit.checks_key = True  # how ApiRoute knows to check the key before reading the body
    return admit
