"""A session that survives a reload, checked on every run; filters in the URL that never widen a user's scope.

AppTest has no browser (no cookie): the token is put in session state, as a sign-in leaves it, and the URL's
query parameters are AppTest's. The cookie itself, a reload (F5) and a deep link in a new tab are in
tests/apps/test_browser.py."""
from __future__ import annotations

import time
from datetime import date, timedelta

from streamlit.testing.v1 import AppTest

from access import policy, sessions, users
from apps.filters import state_from_url, url_from_filters
from apps.session import TOKEN_KEY, USER_KEY
from foundation.settings import get_settings
from serving.analytics import Filters, campaign_kpis, campaigns, data_range
from serving.snapshot import open_current
from tests.access.test_sessions import forge
from tests.apps.test_overview_page import DASHBOARD

LO, HI = date(2025, 11, 16), date(2026, 10, 31)
MANAGER = policy.Scope(business_unit="amigro", label="amigro")


def key() -> bytes:
    return get_settings().session_key.get_secret_value().encode()


def with_token(username: str, role: str, *, lifetime: int = 3600, now: float | None = None, **scope) -> AppTest:
    path = get_settings().users_path
    users.add_user(path, username, role, "a long enough password", replace=True, **scope)
    at = AppTest.from_file(DASHBOARD, default_timeout=120)
    at.session_state[TOKEN_KEY] = sessions.issue(key(), username, users.find(path, username)[1], now=now,
                                                 lifetime=lifetime)
    return at


def url(at: AppTest) -> dict[str, list[str]]:
    """The query parameters the app left in the URL (AppTest gives one value as a string, several as a list)."""
    return {k: [v] if isinstance(v, str) else list(v) for k, v in at.query_params.items()}


def on_sign_in_form(at: AppTest) -> bool:
    return [t.value for t in at.title] == ["huntRED analytics"] and bool(at.text_input(key="sign_in_password"))


# -- the URL, as pure functions -------------------------------------------------------------------------------------
def test_the_url_brings_back_the_filters_it_was_written_from():
    filters = Filters(business_units=("huntu", "amigro"), campaigns=("cmp_00003",), channels=("linkedin",),
                      phases=("retargeting",), date_from=date(2026, 8, 1), date_to=date(2026, 9, 30))
    params = url_from_filters(filters, policy.ALL)
    assert params == {"bu": ["huntu", "amigro"], "campaign": ["cmp_00003"], "channel": ["linkedin"],
                      "phase": ["retargeting"], "from": ["2026-08-01"], "to": ["2026-09-30"]}
    assert state_from_url(params, policy.ALL, LO, HI) == {
        "f_bu": ["huntu", "amigro"], "f_campaign": ["cmp_00003"], "f_channel": ["linkedin"], "f_phase": ["retargeting"],
        "f_dates": (date(2026, 8, 1), date(2026, 9, 30))}


def test_what_the_url_cannot_say_is_dropped():
    params = {"bu": ["huntred_tech", "huntu"], "channel": ["myspace"], "phase": ["'; DROP TABLE x; --"],
              "from": ["2020-01-01"], "to": ["not a date"], "sneaky": ["1"]}
    assert state_from_url(params, policy.ALL, LO, HI) == {"f_bu": ["huntu"], "f_dates": (LO, HI)}  # clipped to the data
    assert "f_dates" not in state_from_url({"from": ["2026-10-01"], "to": ["2026-09-01"]}, policy.ALL, LO, HI)


def test_a_fixed_scope_is_neither_read_from_nor_written_to_the_url():
    assert "f_bu" not in state_from_url({"bu": ["huntu"]}, MANAGER, LO, HI)
    assert "f_bu" not in state_from_url({"bu": ["huntu"]}, policy.Scope(client_id="cli_00004"), LO, HI)
    assert "bu" not in url_from_filters(Filters(business_units=("amigro",)), MANAGER)


# -- the dashboard, in AppTest ---------------------------------------------------------------------------------------
def test_a_bu_managers_link_naming_another_bu_shows_their_own(on_built):
    snap = open_current(get_settings())
    theirs = campaigns(snap, policy.ALL).filter(campaigns(snap, policy.ALL)["business_unit"] == "huntu")["campaign_id"][0]
    at = with_token("maria.url", "bu_manager", business_unit="amigro")
    start = data_range(snap)[1] - timedelta(days=30)
    at.query_params.update({"bu": ["huntu"], "campaign": [theirs], "from": f"{start}"})
    at.run()
    assert not at.exception, at.exception
    filters = at.session_state["filters"]
    assert filters.business_units == ("amigro",) and filters.campaigns == ()  # the other BU's campaign is dropped
    mine = campaign_kpis(snap, policy.Scope(business_unit="amigro"), Filters(
        date_from=filters.date_from, date_to=filters.date_to))["current"]
    assert {m.label: m.value for m in at.metric}["Applications"] == f"{mine['applications']:,}"
    assert "bu" not in url(at) and "campaign" not in url(at) and url(at)["from"] == [f"{start}"]


def test_a_link_with_filters_opens_the_view_it_names_and_keeps_it_in_the_url(on_built):
    _, last = data_range(open_current(get_settings()))
    start, end = last - timedelta(days=40), last - timedelta(days=10)
    at = with_token("ana.url", "analyst")
    at.query_params.update({"bu": ["huntu"], "channel": ["linkedin"], "from": f"{start}", "to": f"{end}"})
    at.run()
    assert not at.exception, at.exception
    assert at.session_state["filters"] == Filters(business_units=("huntu",), channels=("linkedin",),
                                                  date_from=start, date_to=end)
    assert url(at) == {"bu": ["huntu"], "channel": ["linkedin"], "from": [f"{start}"], "to": [f"{end}"]}
    # a filter changed later rewrites the URL: AppTest loses the sidebar's widgets after a first run, so that is
    # checked in Chromium (tests/apps/test_browser.py)


def test_a_tampered_or_expired_token_goes_back_to_sign_in(on_built):
    """The token in session state is checked on every run, not only the cookie's when a tab opens (an expiry
    while a tab stays open is in tests/apps/test_browser.py)."""
    at = with_token("ana.tamper", "analyst", now=time.time() - 7200, lifetime=3600)
    at.session_state[TOKEN_KEY] = forge(at.session_state[TOKEN_KEY], expires_at=int(time.time()) + 3600)  # extended
    at.run()
    assert on_sign_in_form(at)
    expired = with_token("ana.expired", "analyst", now=time.time() - 7200, lifetime=3600)
    expired.run()
    assert on_sign_in_form(expired) and USER_KEY not in expired.session_state
    valid = with_token("ana.valid", "analyst")
    valid.run()
    assert [t.value for t in valid.title] == ["Campaigns"] and valid.session_state[USER_KEY].username == "ana.valid"


def test_signing_out_revokes_the_token(on_built):
    at = with_token("ana.out", "analyst")
    at.run()
    token = at.session_state[TOKEN_KEY]
    at.button(key="sign_out").click().run()
    assert on_sign_in_form(at)
    again = AppTest.from_file(DASHBOARD, default_timeout=120)  # the same token from a copied cookie: refused
    again.session_state[TOKEN_KEY] = token
    again.run()
    assert on_sign_in_form(again)
