"""The overview page shows the snapshot's numbers (AppTest: fast, no browser)."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest

from access.users import User
from tests.conftest import REPO

DASHBOARD = str(REPO / "apps" / "dashboard.py")
ANALYST = User("ana", "analyst")


def signed_in(user: User, page: str | None = None) -> AppTest:
    at = AppTest.from_file(DASHBOARD, default_timeout=120)
    at.session_state["user"] = user
    at.run()
    if page:
        at.switch_page(f"views/{page}.py").run()
    return at


def test_without_data_the_page_says_how_to_get_some(warehouse):
    at = signed_in(ANALYST, "overview")
    assert not at.exception
    assert "No data has been published yet" in at.info[0].value


def test_the_page_shows_rows_and_quarantine_per_source_and_filters_records(on_built, generated):
    _, manifest = generated
    at = signed_in(ANALYST, "overview")
    assert not at.exception
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["ATS events"] == f"{manifest.raw_rows['ats_events']:,} rows"
    at.selectbox(key="quarantine_reason").select("bad_signature").run()
    records = at.dataframe[-2].value
    assert len(records) == manifest.quarantined["stripe_events/bad_signature"]
    assert set(records["reason_code"]) == {"Bad signature"}  # the reason as people read it
