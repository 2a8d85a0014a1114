"""Signed, expiring dashboard sessions: what lets a reload (F5), a new tab or a bookmark stay signed in.

A session token is ``<payload>.<signature>``, both base64url: the payload is JSON naming the user, when the session
was made and when it ends, a random session id, and a fingerprint of the user's password hash; the signature is
HMAC-SHA256 of the payload under the session key (``HUNTRED_SESSION_KEY``, which ``huntred init`` writes into
``.env``; never in the repository). The browser keeps it in a cookie; the dashboard checks it on every run.

The token says only *who* signed in and *until when*. Role and scope are read from the users file on every run,
so nothing in the browser (the cookie or the URL) can widen what a user sees, a changed role applies at once, a
removed user is out, and a new password (its fingerprint changes) ends every session made with the old one.
Signing out revokes the session id until the token would have expired (``RevokedSessions``), so a copy of the
cookie taken before is refused too.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from access import users

#: How long a session lasts unless told (the dashboard passes ``HUNTRED_SESSION_SECONDS``, by default the same).
SESSION_SECONDS = 8 * 3600
_PURPOSE = b"huntred dashboard session v1"  # the key signs nothing else: a token of another purpose never verifies


@dataclass(frozen=True)
class Claims:
    username: str
    issued_at: int
    expires_at: int
    session_id: str
    credential: str  # fingerprint of the password hash the session was made with


def credential_fingerprint(password_hash: str) -> str:
    """A short digest of the stored scrypt hash (itself never leaves the server)."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(key: bytes, payload: bytes) -> bytes:
    return hmac.new(key, _PURPOSE + b"." + payload, hashlib.sha256).digest()


def sign(key: bytes, claims: Claims) -> str:
    payload = json.dumps(asdict(claims), separators=(",", ":"), sort_keys=True).encode()
    return f"{_b64(payload)}.{_b64(_signature(key, payload))}"


def issue(key: bytes, username: str, password_hash: str, *, now: float | None = None,
          lifetime: int = SESSION_SECONDS) -> str:
    issued = int(time.time() if now is None else now)
    return sign(key, Claims(username, issued, issued + lifetime, secrets.token_urlsafe(12),
                            credential_fingerprint(password_hash)))


def verify(key: bytes, token: str | None, *, now: float | None = None) -> Claims | None:
    """The claims of a token this key signed that has not expired; None for anything else (tampered, truncated,
    signed with another key, expired, not a token at all)."""
    if not key or not token or token.count(".") != 1:
        return None
    payload_text, signature_text = token.split(".")
    try:
        payload, signature = _unb64(payload_text), _unb64(signature_text)
    except ValueError:
        return None
    if not hmac.compare_digest(signature, _signature(key, payload)):
        return None
    try:
        claims = Claims(**json.loads(payload))
    except (ValueError, TypeError):
        return None
    if (time.time() if now is None else now) >= claims.expires_at:
        return None
    return claims


class RevokedSessions:
    """Session ids signed out before their token expired, kept (in a private JSON file) until that expiry."""

    _lock = threading.Lock()

    def __init__(self, path: Path):
        self.path = path

    def _read(self) -> dict[str, int]:
        try:
            return {k: int(v) for k, v in json.loads(self.path.read_text(encoding="utf-8")).items()}
        except FileNotFoundError:
            return {}
        except (ValueError, AttributeError):  # a damaged file revokes nothing it cannot read; the next write fixes it
            return {}

    def revoke(self, claims: Claims, *, now: float | None = None) -> None:
        now = time.time() if now is None else now
        with self._lock:
            kept = {k: v for k, v in self._read().items() if v > now}
            kept[claims.session_id] = claims.expires_at
            users.save_private_json(self.path, kept)

    def is_revoked(self, claims: Claims) -> bool:
        return claims.session_id in self._read()


def resume(key: bytes, token: str | None, *, users_path: Path, revoked: RevokedSessions,
           now: float | None = None) -> users.User | None:
    """The user a token signs in, as the users file has them now; None if the token or the user no longer holds."""
    claims = verify(key, token, now=now)
    if claims is None or revoked.is_revoked(claims):
        return None
    found = users.find(users_path, claims.username)
    if found is None:
        return None
    user, password_hash = found
    if not hmac.compare_digest(claims.credential, credential_fingerprint(password_hash)):
        return None
    return user
