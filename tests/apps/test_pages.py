"""Each dashboard page in AppTest (no browser): sign-in, roles, scopes, filters that persist across pages."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from access import users
from access.policy import Scope
from foundation.settings import get_settings
from serving.analytics import Filters, campaign_kpis
from serving.reliability import maturity
from serving.snapshot import open_current
from tests.api.test_access import DASHBOARD_ROLE_NAMES, PAGE_MATRIX, dashboard_pages
from tests.apps.test_overview_page import ANALYST, DASHBOARD, signed_in
from tests.conftest import REPO
from tests.serving.test_scope import a_solutions_client_with_campaigns

PAGES = ["campaigns", "attribution", "pipeline", "engagement", "revenue", "roi_reports", "consulting_exports", "overview"]


def test_sign_in_checks_the_hashed_password(on_built):
    path = get_settings().users_path
    users.add_user(path, "maria", "bu_manager", "correct horse battery", business_unit="amigro", replace=True)
    assert "correct horse battery" not in path.read_text()
    at = AppTest.from_file(DASHBOARD, default_timeout=60).run()
    at.text_input(key="sign_in_username").input("maria")
    at.text_input(key="sign_in_password").input("wrong password")
    at.button[0].click().run()
    assert at.error and "Wrong username or password" in at.error[0].value
    at.text_input(key="sign_in_password").input("correct horse battery")
    at.button[0].click().run()
    assert not at.exception
    assert at.session_state["user"] == users.User("maria", "bu_manager", "amigro")


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_for_an_analyst(on_built, page):
    at = signed_in(ANALYST, page)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert at.title, "the page has no title"


def a_user(role: str) -> users.User:
    return users.User(f"a_{role}", role, "amigro" if role == "bu_manager" else None, "cli_00007" if role == "client" else None)


@pytest.mark.parametrize("role", DASHBOARD_ROLE_NAMES)
def test_each_role_gets_exactly_the_pages_the_matrix_gives_it(warehouse, role):
    """The access matrix (tests/api/test_access.py) holds for what a signed-in user gets: their navigation lists
    exactly the pages marked for their role and each of those opens; every other page, even reached without the
    navigation (its script run directly), shows only a refusal. No data is needed for that: a page admitted shows its
    title before saying there is no data yet, a page refused stops before its title."""
    user, mine = a_user(role), {page for page, roles in PAGE_MATRIX.items() if role in roles}
    at = signed_in(user)
    assert not at.exception, at.exception
    listed = set()
    for page_id, file, _, _ in dashboard_pages():
        try:
            at.switch_page(file)  # AppTest refuses a page st.navigation did not register for this session
            listed.add(page_id)
        except ValueError as exc:
            assert "Could not find a navigation page" in str(exc)
    assert listed == mine, f"{role}'s navigation lists {sorted(listed)}"
    for page_id, file, title, _ in dashboard_pages():
        if page_id in mine:
            opened = signed_in(user, page_id)
            assert not opened.exception, opened.exception
            assert [t.value for t in opened.title] == [title] and not opened.error, (role, page_id)
        direct = AppTest.from_file(str(REPO / "apps" / file), default_timeout=60)
        direct.session_state["user"] = user
        direct.run()
        assert not direct.exception, direct.exception
        if page_id in mine:
            assert [t.value for t in direct.title] == [title] and not direct.error, (role, page_id)
        else:
            assert [e.value for e in direct.error] == ["You do not have access to this page."], (role, page_id)
            assert len(direct.main.children) == 1 and not direct.sidebar.children, (role, page_id)  # nothing else


def test_the_campaigns_page_shows_the_marts_numbers_with_their_change(on_built):
    at = signed_in(ANALYST, "campaigns")
    filters = at.session_state["filters"]
    snap = open_current(get_settings())
    truth = campaign_kpis(snap, Scope(), filters)["current"]
    tiles = {m.label.split(" · ")[0]: m for m in at.metric}
    assert tiles["Applications"].value == f"{truth['applications']:,}"
    assert tiles["Hires"].value == f"{truth['hires']:,}"
    # an outcome still maturing in the chosen period says so and shows no change; what has arrived in full does not
    maturing = maturity(snap, Scope()).maturing(filters.date_to)
    assert ("maturing" in tiles["Hires"].label) == ("hires" in maturing)
    assert "maturing" not in tiles["Applications"].label
    if "hires" in maturing:
        assert not tiles["Hires"].delta and at.info, "a maturing period must say why its hires have no change"
    assert {"Reach", "CTR", "Conversion rate", "Cost per application", "Cost per hire", "Engagement score", "ROI", "ROAS",
            "Retargeting impact"} <= set(tiles)


def test_a_bu_manager_sees_only_their_bu_and_their_pages(on_built):
    manager = users.User("m", "bu_manager", "amigro")
    at = signed_in(manager, "campaigns")
    assert not at.exception
    assert not [m for m in at.multiselect if m.key == "f_bu"], "a BU manager must not get a BU picker"
    filters = at.session_state["filters"]
    assert filters.business_units == ("amigro",)
    mine = campaign_kpis(open_current(get_settings()), Scope(business_unit="amigro"), Filters(
        date_from=filters.date_from, date_to=filters.date_to))["current"]
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Applications"] == f"{mine['applications']:,}"
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("views/revenue.py")  # not in their navigation: no address opens it (run directly, it refuses)
    assert refused_when_run_directly(manager, "revenue")
    roi = signed_in(manager, "roi_reports")
    assert not roi.exception
    assert not [s for s in roi.selectbox if s.key == "roi_bu"], "a BU manager must not choose another BU's report"
    assert "amigro" in roi.subheader[0].value


def test_a_client_sees_only_the_export_page_of_their_own_data(on_built):
    client = a_solutions_client_with_campaigns(open_current(get_settings()))
    user = users.User("c", "client", None, client)
    at = signed_in(user, "consulting_exports")
    assert not at.exception
    assert not [s for s in at.selectbox if s.key == "export_client"], "a client must not pick another client"
    campaigns = at.dataframe[0].value
    assert len(campaigns) >= 1
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("views/campaigns.py")
    assert refused_when_run_directly(user, "campaigns")


def refused_when_run_directly(user: users.User, page_id: str) -> bool:
    direct = AppTest.from_file(str(REPO / "apps" / "views" / f"{page_id}.py"), default_timeout=60)
    direct.session_state["user"] = user
    direct.run()
    return [e.value for e in direct.error] == ["You do not have access to this page."] and not direct.metric

# Filters persisting across pages is checked in the real browser (tests/apps/test_browser.py): AppTest
# does not keep the entry point's sidebar widgets in its element tree after switch_page.


def test_the_roi_page_says_which_period_has_data_instead_of_offering_files_of_zeros(on_built):
    """A BU and a period (inside the data's dates) in which that BU had no campaign: the page says so in one sentence,
    naming the BU's own period, and offers no download; the same BU over its own period gets both downloads."""
    from datetime import timedelta

    from models.enums import BusinessUnit
    from models.labels import BUSINESS_UNIT_LABELS
    from serving import analytics as an
    from tests.apps.test_overview_page import ANALYST

    snap = open_current(get_settings())
    first, _ = an.data_range(snap)
    covers = {bu: an.campaign_coverage(snap, Scope(), Filters(business_units=(bu.value,))) for bu in BusinessUnit}
    late = [(bu, c) for bu, c in covers.items() if c["first_day"] is not None and c["first_day"] > first + timedelta(days=1)]
    assert late, "every BU of the sample starts on the data's first day: no period without data to try"
    bu, cover = late[0]

    def roi_page(date_from, date_to) -> AppTest:
        at = AppTest.from_file(DASHBOARD, default_timeout=120)
        at.session_state["user"] = ANALYST
        at.session_state["f_dates"] = (date_from, date_to)
        at.session_state["f_bu"] = [bu.value]  # the sidebar's one BU picker
        at.run()
        at.switch_page("views/roi_reports.py").run()
        assert not at.exception, at.exception
        return at

    empty = roi_page(first, cover["first_day"] - timedelta(days=1))
    assert [e.value for e in empty.error] == [
        f"{BUSINESS_UNIT_LABELS[bu.value]} has no campaign data from {first:%Y-%m-%d} to "
        f"{cover['first_day'] - timedelta(days=1):%Y-%m-%d}; its data runs from {cover['first_day']:%Y-%m-%d} to "
        f"{cover['last_day']:%Y-%m-%d}. Choose a period within it."]
    assert not empty.download_button and not empty.metric
    full = roi_page(cover["first_day"], cover["last_day"])
    assert not full.error and len(full.download_button) == 2
