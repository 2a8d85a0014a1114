"""Repeated wrong passwords lock sign-in for a growing delay, per user and per client, and leave an audit trail.

Regression: 25 wrong passwords, then the right one signed in at once. The throttle lives in the
dashboard's server process, so a rerun or a new browser session of the same server sees it.
"""
from __future__ import annotations

import secrets

import pytest
from streamlit.testing.v1 import AppTest

from access import audit, users
from foundation.settings import get_settings
from tests.apps.test_overview_page import DASHBOARD

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def fresh_throttle():
    """AppTest sessions have no client address, so they all count as one client: start each test afresh."""
    users.sign_in_throttle().reset()
    yield
    users.sign_in_throttle().reset()


def a_user(role: str = "analyst") -> str:
    """A new user per test: the throttle is shared by every session of the process, as on a real server."""
    name = f"t{secrets.token_hex(4)}"
    users.add_user(get_settings().users_path, name, role, PASSWORD)
    return name


def sign_in(at: AppTest, username: str, password: str) -> AppTest:
    at.text_input(key="sign_in_username").input(username)
    at.text_input(key="sign_in_password").input(password)
    at.button[0].click().run()
    return at


def new_session() -> AppTest:
    return AppTest.from_file(DASHBOARD, default_timeout=60).run()


def actions_for(username: str) -> list[str]:
    return [r["action"] for r in audit.read(get_settings().audit_dir) if r["actor"] == f"user:{username}"]


def test_after_25_wrong_passwords_the_right_one_is_refused_until_the_delay_passes(warehouse):
    name = a_user()
    at = new_session()
    for _ in range(25):
        sign_in(at, name, "wrong password")
        assert not at.exception
    sign_in(at, name, PASSWORD)
    assert "user" not in at.session_state, "signed in right after 25 wrong passwords"
    message = " ".join(e.value for e in at.error)
    assert "Too many failed sign-ins" in message and "Try again in" in message, message
    # a rerun, and another browser session of the same server, are refused as well
    assert "user" not in sign_in(at.run(), name, PASSWORD).session_state
    other = sign_in(new_session(), name, PASSWORD)
    assert "user" not in other.session_state and "Too many failed sign-ins" in other.error[0].value
    actions = actions_for(name)
    assert actions.count("sign_in_failed") == users.SignInThrottle.MAX_USER_FAILURES
    assert actions.count("sign_in_locked") >= 25 + 3 - users.SignInThrottle.MAX_USER_FAILURES
    assert "sign_in" not in actions


def test_a_right_password_before_the_limit_signs_in_and_is_audited(warehouse):
    name = a_user()
    at = new_session()
    for _ in range(users.SignInThrottle.MAX_USER_FAILURES - 1):
        sign_in(at, name, "wrong password")
    sign_in(at, name, PASSWORD)
    assert at.session_state["user"].username == name
    assert actions_for(name) == ["sign_in_failed"] * (users.SignInThrottle.MAX_USER_FAILURES - 1) + ["sign_in"]


def test_one_client_trying_many_usernames_is_locked_out_whatever_the_user(warehouse):
    name = a_user()
    at = new_session()
    # AppTest has no client address: every session counts as the same (unknown) client, as one address would
    for i in range(users.SignInThrottle.MAX_CLIENT_FAILURES):
        sign_in(at, f"nobody{secrets.token_hex(3)}{i}", "wrong password")
    sign_in(at, name, PASSWORD)
    assert "user" not in at.session_state
    assert "Too many failed sign-ins from this address" in " ".join(e.value for e in at.error)


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def test_the_lock_grows_with_each_failure_after_it_and_ends_after_a_quiet_window():
    clock = Clock()
    throttle = users.SignInThrottle(clock=clock)
    for _ in range(throttle.MAX_USER_FAILURES - 1):
        throttle.failed("ana", "10.0.0.1")
        assert throttle.refusal("ana", "10.0.0.1") is None
    throttle.failed("ana", "10.0.0.1")
    first = throttle.refusal("ana", "10.0.0.1")
    assert first is not None and first.seconds == pytest.approx(throttle.BASE_DELAY)
    assert throttle.refusal("bob", "10.0.0.2") is None, "another user from another address is not locked"
    clock.now += throttle.BASE_DELAY + 1
    assert throttle.refusal("ana", "10.0.0.1") is None, "one attempt is allowed after the delay"
    throttle.failed("ana", "10.0.0.1")
    assert throttle.refusal("ana", "10.0.0.1").seconds == pytest.approx(2 * throttle.BASE_DELAY)
    clock.now += 2 * throttle.BASE_DELAY + throttle.WINDOW + 1
    throttle.failed("ana", "10.0.0.1")
    assert throttle.refusal("ana", "10.0.0.1") is None, "failures older than the window are forgotten"
    throttle.succeeded("ana")
    assert throttle.refusal("ana", "10.0.0.1") is None
