"""Who is calling: API key → role and scope, per-key rate limit, and what the audit log records of them.

Every data route depends on ``caller("<capability>")``: a missing or unknown key is
401, a role without the capability 403, a key over its rate 429 with Retry-After.
The scope of the key (BU or client) is handed to the read functions, which put it
in their SQL.
"""
from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader

from huntred.analytics import Scope
from huntred.api_keys import ApiKey, KeyStore
from huntred.settings import get_settings

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
    """A token bucket per key: ``rate`` requests a minute, bursts up to a minute's worth."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}  # key id -> (tokens, monotonic time)

    def take(self, key_id: str, rate_per_minute: int) -> float:
        """0 when the request may go ahead, else seconds until it may."""
        now = time.monotonic()
        per_second = rate_per_minute / 60
        with self._lock:
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


def caller(capability: str):
    """The dependency that admits callers whose key's role has ``capability``."""

    def admit(request: Request, token: str | None = Depends(API_KEY_HEADER)) -> Caller:
        if not token:
            raise ApiProblem(401, "API key required", "This endpoint needs an API key in the X-API-Key header; "
                             "create one with `huntred keys create --role ROLE`.", {"WWW-Authenticate": "X-API-Key"})
        key = _store().verify(token)
        if key is None:
            raise ApiProblem(401, "Unknown API key", "The API key is not valid or has been revoked; ask an admin for a new one.",
                             {"WWW-Authenticate": "X-API-Key"})
        request.state.caller = key
        wait = _limiter.take(key.key_id, key.rate_per_minute)
        if wait:
            raise ApiProblem(429, "Too many requests", f"This key may make {key.rate_per_minute} requests a minute; "
                             f"try again in {math.ceil(wait)} s.", {"Retry-After": str(math.ceil(wait))})
        if not key.may(capability):
            raise ApiProblem(403, "Not allowed", f"The {key.role} role may not use this endpoint ({capability}).")
        return Caller(key)

    return admit
