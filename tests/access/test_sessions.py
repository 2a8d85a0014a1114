"""Dashboard session tokens (access/sessions.py): signed, expiring, revocable, and never the source of a scope."""
from __future__ import annotations

import base64
import json

import pytest

from access import sessions, users

KEY = b"k" * 64
NOW = 1_800_000_000


@pytest.fixture
def users_file(tmp_path):
    path = tmp_path / "users.json"
    users.add_user(path, "maria", "bu_manager", "correct horse battery", business_unit="amigro")
    return path


def forge(token: str, **changes) -> str:
    """The token with some claims changed and its signature kept (what a tamperer without the key can make)."""
    payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    forged = base64.urlsafe_b64encode(json.dumps({**claims, **changes}).encode()).rstrip(b"=").decode()
    return f"{forged}.{signature}"


def token_for(path, username="maria", *, now=NOW, lifetime=sessions.SESSION_SECONDS, key=KEY) -> str:
    _, password_hash = users.find(path, username)
    return sessions.issue(key, username, password_hash, now=now, lifetime=lifetime)


def test_a_token_verifies_until_it_expires(users_file):
    token = token_for(users_file, lifetime=3600)
    claims = sessions.verify(KEY, token, now=NOW + 3599)
    assert claims is not None and claims.username == "maria" and claims.expires_at == NOW + 3600
    assert sessions.verify(KEY, token, now=NOW + 3600) is None  # expired at its expiry second
    assert sessions.verify(KEY, token, now=NOW + 10 * 3600) is None


def test_a_tampered_token_or_one_of_another_key_is_refused(users_file):
    token = token_for(users_file)
    payload, signature = token.split(".")
    for change in ({"username": "admin"}, {"expires_at": NOW + 10**9}):  # a longer life or another user, same signature
        assert sessions.verify(KEY, forge(token, **change), now=NOW) is None, change
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    assert sessions.verify(KEY, f"{payload}.{flipped}", now=NOW) is None
    assert sessions.verify(b"another key", token, now=NOW) is None
    for junk in ("", "abc", "a.b.c", "!!!.???", f"{payload}.", f".{signature}", None):
        assert sessions.verify(KEY, junk, now=NOW) is None, junk
    assert sessions.verify(b"", token, now=NOW) is None  # no key: nothing verifies


def test_resume_reads_role_and_scope_from_the_users_file_not_the_token(users_file, tmp_path):
    revoked = sessions.RevokedSessions(tmp_path / "revoked.json")
    token = token_for(users_file)
    user = sessions.resume(KEY, token, users_path=users_file, revoked=revoked, now=NOW)
    assert user == users.User("maria", "bu_manager", "amigro")
    # the role changes (same password hash kept by hand): the next run sees the new scope
    data = json.loads(users_file.read_text())
    data["users"][0]["business_unit"] = "huntu"
    users_file.write_text(json.dumps(data))
    assert sessions.resume(KEY, token, users_path=users_file, revoked=revoked, now=NOW).scope.business_unit == "huntu"


def test_sign_out_a_new_password_or_a_removed_user_ends_the_session(users_file, tmp_path):
    revoked = sessions.RevokedSessions(tmp_path / "revoked.json")
    first, second = token_for(users_file), token_for(users_file)
    revoked.revoke(sessions.verify(KEY, first, now=NOW), now=NOW)
    assert sessions.resume(KEY, first, users_path=users_file, revoked=revoked, now=NOW) is None
    assert sessions.resume(KEY, second, users_path=users_file, revoked=revoked, now=NOW) is not None  # only that one
    users.add_user(users_file, "maria", "bu_manager", "a brand new password", business_unit="amigro", replace=True)
    assert sessions.resume(KEY, second, users_path=users_file, revoked=revoked, now=NOW) is None
    third = token_for(users_file)
    users.remove_user(users_file, "maria")
    assert sessions.resume(KEY, third, users_path=users_file, revoked=revoked, now=NOW) is None


def test_revocations_are_kept_until_the_token_would_have_expired(users_file, tmp_path):
    path = tmp_path / "revoked.json"
    revoked = sessions.RevokedSessions(path)
    old, new = token_for(users_file, lifetime=60), token_for(users_file)
    revoked.revoke(sessions.verify(KEY, old, now=NOW), now=NOW)
    revoked.revoke(sessions.verify(KEY, new, now=NOW), now=NOW + 120)  # the first has expired by then: dropped
    assert set(json.loads(path.read_text())) == {sessions.verify(KEY, new, now=NOW).session_id}
    assert path.stat().st_mode & 0o077 == 0  # owner-only, like the users file
