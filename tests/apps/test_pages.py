"""Each dashboard page in AppTest (no browser): sign-in, roles, scopes, filters that persist across pages."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from huntred import auth
from huntred.analytics import Filters, Scope, campaign_kpis
from huntred.serving import open_current
from huntred.settings import get_settings
from tests.analytics.test_scope import a_solutions_client_with_campaigns
from tests.apps.test_overview_page import ANALYST, DASHBOARD, signed_in

PAGES = ["campaigns", "attribution", "pipeline", "engagement", "revenue", "roi_reports", "consulting_exports", "overview"]


def test_sign_in_checks_the_hashed_password(on_built):
    path = get_settings().users_path
    auth.add_user(path, "maria", "bu_manager", "correct horse battery", business_unit="amigro", replace=True)
    assert "correct horse battery" not in path.read_text()
    at = AppTest.from_file(DASHBOARD, default_timeout=60).run()
    at.text_input(key="sign_in_username").input("maria")
    at.text_input(key="sign_in_password").input("wrong password")
    at.button[0].click().run()
    assert at.error and "Wrong username or password" in at.error[0].value
    at.text_input(key="sign_in_password").input("correct horse battery")
    at.button[0].click().run()
    assert not at.exception
    assert at.session_state["user"] == auth.User("maria", "bu_manager", "amigro")


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_for_an_analyst(on_built, page):
    at = signed_in(ANALYST, page)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert at.title, "the page has no title"


def test_the_campaigns_page_shows_the_marts_numbers_with_their_change(on_built):
    at = signed_in(ANALYST, "campaigns")
    filters = at.session_state["filters"]
    truth = campaign_kpis(open_current(get_settings()), Scope(), filters)["current"]
    tiles = {m.label: m for m in at.metric}
    assert tiles["Applications"].value == f"{truth['applications']:,}"
    assert tiles["Hires"].value == f"{truth['hires']:,}"
    assert {"Reach", "CTR", "Conversion rate", "Cost per application", "Cost per hire", "Engagement score", "ROI", "ROAS",
            "Retargeting impact"} <= set(tiles)


def test_a_bu_manager_sees_only_their_bu_and_their_pages(on_built):
    manager = auth.User("m", "bu_manager", "amigro")
    at = signed_in(manager, "campaigns")
    assert not at.exception
    assert not [m for m in at.multiselect if m.key == "f_bu"], "a BU manager must not get a BU picker"
    filters = at.session_state["filters"]
    assert filters.business_units == ("amigro",)
    mine = campaign_kpis(open_current(get_settings()), Scope(business_unit="amigro"), Filters(
        date_from=filters.date_from, date_to=filters.date_to))["current"]
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Applications"] == f"{mine['applications']:,}"
    at.switch_page("pages/revenue.py").run()  # not in their navigation; reached anyway, the page refuses
    assert "You do not have access" in at.error[0].value and not at.metric
    roi = signed_in(manager, "roi_reports")
    assert not roi.exception
    assert not [s for s in roi.selectbox if s.key == "roi_bu"], "a BU manager must not choose another BU's report"
    assert "amigro" in roi.subheader[0].value


def test_a_client_sees_only_the_export_page_of_their_own_data(on_built):
    client = a_solutions_client_with_campaigns(open_current(get_settings()))
    user = auth.User("c", "client", None, client)
    at = signed_in(user, "consulting_exports")
    assert not at.exception
    assert not [s for s in at.selectbox if s.key == "export_client"], "a client must not pick another client"
    campaigns = at.dataframe[0].value
    assert len(campaigns) >= 1
    at.switch_page("pages/campaigns.py").run()
    assert "You do not have access" in at.error[0].value and not at.metric

# Filters persisting across pages is checked in the real browser (tests/apps/test_browser.py): AppTest
# does not keep the entry point's sidebar widgets in its element tree after switch_page.
