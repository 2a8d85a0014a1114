"""The overview page shows the snapshot's numbers (AppTest: fast, no browser)."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.conftest import REPO

DASHBOARD = str(REPO / "apps" / "dashboard.py")


def test_without_data_the_page_says_how_to_get_some(warehouse):
    at = AppTest.from_file(DASHBOARD, default_timeout=60).run()
    assert not at.exception
    assert "No data has been published yet" in at.info[0].value


def test_the_page_shows_rows_and_quarantine_per_source_and_filters_records(on_built, generated):
    _, manifest = generated
    at = AppTest.from_file(DASHBOARD, default_timeout=60).run()
    assert not at.exception
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Ats Events"] == f"{manifest.raw_rows['ats_events']:,} rows"
    at.selectbox(key="quarantine_reason").select("bad_signature").run()
    records = at.dataframe[-2].value
    assert len(records) == manifest.quarantined["stripe_events/bad_signature"]
    assert set(records["reason_code"]) == {"bad_signature"}
