"""API keys: who may call the API, in which role and scope, and how often.

A key reads ``hr_<key id>_<secret>``. Only the SHA-256 of the secret is stored (in
``HUNTRED_API_KEYS_FILE``, default ``<warehouse>/api_keys.json``, mode 600): the
secret is 256 random bits, so a fast hash is enough (unlike passwords) and keeps
each request cheap. ``huntred keys create`` prints a key once; ``huntred keys
revoke`` marks it revoked, which the API notices on its next request (it re-reads
the file when it changes).
"""
from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import threading
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

from access.policy import API_ROLES, CAPABILITIES, PII_ROLES, Scope, scope_for
from access.users import save_private_json, validate_scope
from foundation.errors import UserError

_TOKEN = re.compile(r"^hr_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$")
DEFAULT_RATE_PER_MINUTE = 600


@dataclass(frozen=True)
class ApiKey:
    key_id: str
    label: str
    role: str
    business_unit: str | None
    client_id: str | None
    rate_per_minute: int
    created_at: str
    secret_sha256: str = ""
    revoked_at: str | None = None

    @property
    def scope(self) -> Scope:
        return scope_for(self.role, self.business_unit, self.client_id)

    @property
    def sees_pii(self) -> bool:
        return self.role in PII_ROLES

    def may(self, capability: str) -> bool:
        return self.role in CAPABILITIES[capability]


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _load(path: Path) -> list[dict]:
    if not path.exists():
        return []
    try:
        return json.loads(path.read_text(encoding="utf-8"))["keys"]
    except (ValueError, KeyError) as exc:
        raise UserError(f"The API keys file {path} is unreadable ({exc}).", "Restore it, or delete it and create new keys.")


def _save(path: Path, keys: list[dict]) -> None:
    save_private_json(path, {"keys": keys})


def create_key(path: Path, role: str, *, business_unit: str | None = None, client_id: str | None = None,
               label: str = "", rate_per_minute: int = DEFAULT_RATE_PER_MINUTE) -> tuple[str, ApiKey]:
    """A new key: the token (to hand over once) and what is stored of it."""
    validate_scope(role, business_unit, client_id, API_ROLES)
    if rate_per_minute < 1:
        raise UserError("The rate limit must be at least one request per minute.", "Give --rate 1 or more.")
    key_id, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    key = ApiKey(key_id, label or role, role, business_unit, client_id, rate_per_minute,
                 datetime.now(timezone.utc).isoformat(timespec="seconds"), _digest(secret))
    _save(path, [*_load(path), asdict(key)])
    return f"hr_{key_id}_{secret}", key


def revoke_key(path: Path, key_id: str) -> ApiKey:
    keys = _load(path)
    for k in keys:
        if k["key_id"] == key_id:
            if k["revoked_at"] is None:
                k["revoked_at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
                _save(path, keys)
            return ApiKey(**k)
    raise UserError(f"There is no API key '{key_id}'.", "See `huntred keys list` for the key ids.")


def list_keys(path: Path) -> list[ApiKey]:
    return [ApiKey(**k) for k in _load(path)]


class KeyStore:
    """Verifies tokens against the keys file, re-reading it only when it changes (one stat per request)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._keys: dict[str, ApiKey] = {}

    def _refresh(self) -> None:
        try:
            st = self.path.stat()
            stamp = (st.st_mtime_ns, st.st_size)
        except FileNotFoundError:
            stamp = (0, 0)
        with self._lock:
            if stamp != self._stamp:
                self._keys = {k["key_id"]: ApiKey(**k) for k in _load(self.path)}
                self._stamp = stamp

    def verify(self, token: str) -> ApiKey | None:
        """The key if the token is one of ours and not revoked, else None."""
        match = _TOKEN.match(token or "")
        if not match:
            return None
        self._refresh()
        key = self._keys.get(match.group(1))
        if key is None or key.revoked_at is not None:
            return None
        return key if hmac.compare_digest(key.secret_sha256, _digest(match.group(2))) else None
