"""Who may sign in and what they may see.

Users live in a JSON file (``HUNTRED_USERS_FILE``, default ``<warehouse>/users.json``,
git-ignored) holding only scrypt hashes of passwords, never the passwords. ``huntred
users init`` creates the demo users with random passwords printed once; ``huntred users
add`` adds one. Each role maps to the pages it may open and to the scope (BU or client)
every query of that user is restricted to: both are decided in ``access.policy``.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import secrets
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from access.policy import PAGE_ROLES, PII_ROLES, ROLES, Scope, scope_for
from foundation.errors import UserError
from models.enums import BusinessUnit

_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")


@dataclass(frozen=True)
class User:
    username: str
    role: str
    business_unit: str | None = None
    client_id: str | None = None

    @property
    def scope(self) -> Scope:
        return scope_for(self.role, self.business_unit, self.client_id)

    def may_open(self, page: str) -> bool:
        return self.role in PAGE_ROLES[page]

    @property
    def sees_pii(self) -> bool:
        return self.role in PII_ROLES


def validate_scope(role: str, business_unit: str | None, client_id: str | None, roles: tuple[str, ...] = ROLES) -> None:
    if role not in roles:
        raise UserError(f"'{role}' is not a role.", f"Use one of: {', '.join(roles)}.")
    if role == "bu_manager" and business_unit not in {b.value for b in BusinessUnit}:
        raise UserError("A BU manager needs a business unit.", f"Give --bu with one of: {', '.join(b.value for b in BusinessUnit)}.")
    if role == "client" and not client_id:
        raise UserError("A client user needs a client id.", "Give --client with the huntRED Solutions client id (e.g. cli_00004).")
    if role not in ("bu_manager", "client") and (business_unit or client_id):
        raise UserError(f"A {role} sees every business unit, so --bu and --client do not apply.", "Leave them out.")


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **_SCRYPT)
    return "scrypt${n}${r}${p}$".format(**_SCRYPT) + base64.b64encode(salt).decode() + "$" + base64.b64encode(digest).decode()


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        actual = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), dklen=32, n=int(n), r=int(r), p=int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, base64.b64decode(digest))


def _load(path: Path) -> dict:
    if not path.exists():
        return {"users": []}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise UserError(f"The users file {path} is not valid JSON ({exc}).", "Fix it or recreate it with `huntred users init --force`.")


def save_private_json(path: Path, data: dict) -> None:
    """Write a JSON file only its owner may read (mode 600), whole or not at all (also used for API keys)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    tmp.chmod(0o600)
    os.replace(tmp, path)


def validate(username: str, role: str, business_unit: str | None, client_id: str | None) -> None:
    if not _USERNAME.match(username):
        raise UserError(f"'{username}' is not a valid username.", "Use 2-40 lowercase letters, digits, dots, dashes or underscores.")
    validate_scope(role, business_unit, client_id)


def add_user(path: Path, username: str, role: str, password: str, *, business_unit: str | None = None,
             client_id: str | None = None, replace: bool = False) -> User:
    validate(username, role, business_unit, client_id)
    if len(password) < 10:
        raise UserError("The password is too short.", "Use at least 10 characters.")
    data = _load(path)
    if any(u["username"] == username for u in data["users"]) and not replace:
        raise UserError(f"The user '{username}' already exists.", "Choose another name, or remove it first.")
    data["users"] = [u for u in data["users"] if u["username"] != username]
    user = User(username, role, business_unit, client_id)
    data["users"].append({**asdict(user), "password_hash": hash_password(password)})
    save_private_json(path, data)
    return user


def remove_user(path: Path, username: str) -> None:
    data = _load(path)
    before = len(data["users"])
    data["users"] = [u for u in data["users"] if u["username"] != username]
    if len(data["users"]) == before:
        raise UserError(f"There is no user '{username}'.", "See `huntred users list`.")
    save_private_json(path, data)


def list_users(path: Path) -> list[User]:
    return [User(u["username"], u["role"], u.get("business_unit"), u.get("client_id")) for u in _load(path)["users"]]


def find(path: Path, username: str) -> tuple[User, str] | None:
    """A user and their stored password hash (what a session's credential fingerprint is checked against)."""
    record = next((u for u in _load(path)["users"] if u["username"] == username), None)
    if record is None:
        return None
    return User(record["username"], record["role"], record.get("business_unit"), record.get("client_id")), record["password_hash"]


def authenticate(path: Path, username: str, password: str) -> User | None:
    """The user if the password is right, else None (same work either way, so timing does not tell names apart)."""
    record = next((u for u in _load(path)["users"] if u["username"] == username.strip().lower()), None)
    ok = verify_password(password, record["password_hash"] if record else hash_password("not-a-user-password"))
    if not (record and ok):
        return None
    return User(record["username"], record["role"], record.get("business_unit"), record.get("client_id"))


def new_password() -> str:
    return secrets.token_urlsafe(12)


# -- sign-in throttle ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Refusal:
    """Why a sign-in is refused before its password is even checked, and for how long."""
    by: str  # "user" or "client"
    seconds: float

    def message(self) -> str:
        who = "for this user" if self.by == "user" else "from this address"
        wait = f"{self.seconds:.0f} s" if self.seconds < 90 else f"{self.seconds / 60:.0f} min"
        return f"Too many failed sign-ins {who}. Try again in {wait}, or ask an admin to check the account."


class SignInThrottle:
    """Failed sign-ins counted per username and per client address; past a limit, attempts are refused
    (whatever the password) for a delay that doubles with each further failure.

    The state is in this process's memory: the dashboard is one server process, so every rerun and
    every browser session of it shares one throttle, and a restart forgets it (acceptable: a restart is
    rare and takes longer than the first delays). Several dashboard processes would each count apart.
    """

    WINDOW = 15 * 60  #: failures further apart than this (after a lock ends) are forgotten
    MAX_USER_FAILURES = 5  #: per username: enough for typos, few for guessing
    MAX_CLIENT_FAILURES = 20  #: per address, over all usernames (password spraying)
    BASE_DELAY = 60.0
    MAX_DELAY = 60 * 60.0
    MAX_KEYS = 10_000  #: bounded memory whatever usernames are typed

    def __init__(self, clock=None) -> None:

        self._clock = clock or time.time
        self._lock = threading.Lock()
        self._state: dict[tuple[str, str], tuple[int, float, float]] = {}  # key -> (failures, last failure, locked until)

    def _limit(self, kind: str) -> int:
        return self.MAX_USER_FAILURES if kind == "user" else self.MAX_CLIENT_FAILURES

    def _current(self, key: tuple[str, str], now: float) -> tuple[int, float, float]:
        failures, last, until = self._state.get(key, (0, 0.0, 0.0))
        if failures and now >= until and now - max(last, until) > self.WINDOW:
            self._state.pop(key, None)
            return 0, 0.0, 0.0
        return failures, last, until

    def refusal(self, username: str, client: str | None) -> Refusal | None:
        """A refusal if this user or this client is locked now, else None (the password may be checked)."""
        now = self._clock()
        with self._lock:
            waits = [(kind, self._current((kind, value), now)[2] - now) for kind, value in self._keys(username, client)]
        kind, wait = max(waits, key=lambda w: w[1])
        return Refusal(kind, wait) if wait > 0 else None

    def failed(self, username: str, client: str | None) -> None:
        now = self._clock()
        with self._lock:
            for kind, value in self._keys(username, client):
                failures, _, until = self._current((kind, value), now)
                failures += 1
                over = failures - self._limit(kind)
                if over >= 0:
                    until = now + min(self.BASE_DELAY * 2 ** over, self.MAX_DELAY)
                self._state[(kind, value)] = (failures, now, until)
            while len(self._state) > self.MAX_KEYS:  # the oldest entry goes first (dicts keep insertion order)
                self._state.pop(next(iter(self._state)))

    def succeeded(self, username: str) -> None:
        """A right password clears the user's count; the client's stays (one good account must not reset spraying)."""
        with self._lock:
            self._state.pop(("user", normal_username(username)), None)

    def reset(self) -> None:
        with self._lock:
            self._state.clear()

    @staticmethod
    def _keys(username: str, client: str | None) -> list[tuple[str, str]]:
        return [("user", normal_username(username)), ("client", client or "unknown")]


def normal_username(username: str) -> str:
    return username.strip().lower()[:64]


_throttle = SignInThrottle()


def sign_in_throttle() -> SignInThrottle:
    """The process's one throttle (shared by every dashboard session of this server)."""
    return _throttle
