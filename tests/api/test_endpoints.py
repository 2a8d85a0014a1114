"""The read endpoints against the sample lakehouse: the seed's shapes, and the same numbers as the dashboard's queries."""
from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest

from access import policy
from foundation.settings import get_settings
from serving import analytics as an
from serving.snapshot import open_current


@pytest.fixture
def snap(on_built):
    return open_current(get_settings())


def test_campaign_pages_cover_every_campaign_once_and_filters_apply_in_the_query(snap, api_as):
    client = api_as("analyst")
    first = client.get("/api/publish/campaigns/", params={"limit": 3}).json()
    everything = an.campaign_page(snap, policy.ALL, an.Filters(), limit=500)[0]
    assert first["total"] == len(everything) and len(first["items"]) == 3
    seen, offset = [], 0
    while offset < first["total"]:
        seen += [c["id"] for c in client.get("/api/publish/campaigns/", params={"limit": 3, "offset": offset}).json()["items"]]
        offset += 3
    assert sorted(seen) == sorted(c["id"] for c in everything) and len(set(seen)) == len(seen)

    amigro = client.get("/api/publish/campaigns/", params={"business_unit": "amigro", "limit": 500}).json()
    assert amigro["total"] == sum(c["business_unit"] == "amigro" for c in everything)
    assert {c["business_unit"] for c in amigro["items"]} <= {"amigro"}
    finished = client.get("/api/publish/campaigns/", params={"status": "finished", "limit": 500}).json()
    assert finished["total"] and {c["status"] for c in finished["items"]} == {"finished"}
    name = everything[0]["name"]
    found = client.get("/api/publish/campaigns/", params={"search": name[3:12].upper()}).json()
    assert everything[0]["id"] in [c["id"] for c in found["items"]]
    assert client.get("/api/publish/campaigns/", params={"search": "%"}).json()["total"] == 0  # a literal %, not a wildcard


def test_campaign_metrics_have_the_seed_shape_and_the_dashboards_numbers(snap, api_as):
    client = api_as("analyst")
    campaign = an.campaign_page(snap, policy.ALL, an.Filters(), limit=1)[0][0]
    period = {"from": str(campaign["start_date"]), "to": str(campaign["end_date"])}
    metrics = client.get(f"/api/publish/campaigns/{campaign['id']}/metrics/", params=period).json()
    assert {"reach", "clicks", "applications", "conversion_rate", "engagement_score", "by_channel"} <= set(metrics)

    dashboard = an.campaign_kpis(snap, policy.ALL, an.Filters(campaigns=(campaign["id"],), date_from=campaign["start_date"],
                                                          date_to=campaign["end_date"]))["current"]
    for key in ("reach", "clicks", "applications", "hires", "spend_mxn", "conversion_rate", "engagement_score", "roi"):
        assert metrics[key] == pytest.approx(dashboard[key]), key
    assert metrics["conversion_rate"] == pytest.approx(metrics["applications"] / metrics["reach"])
    for key in ("reach", "clicks", "applications"):
        assert sum(c[key] for c in metrics["by_channel"].values()) == metrics[key]

    detail = client.get(f"/api/publish/campaigns/{campaign['id']}/").json()
    assert detail["id"] == campaign["id"] and detail["reach"] == campaign["reach"]
    missing = client.get("/api/publish/campaigns/cmp_99999/metrics/")
    assert missing.status_code == 404 and "There is no campaign 'cmp_99999'" in missing.json()["detail"]


def test_engagement_and_chatbot_analytics_sum_the_marts(snap, api_as):
    client = api_as("analyst")
    months = client.get("/api/gamif-analytics/engagement/", params={"from": "2026-01-01", "to": "2026-03-31"}).json()["months"]
    assert [m["month"] for m in months] == ["2026-01-01", "2026-02-01", "2026-03-01"]
    points = an.gamification(snap, policy.ALL, an.Filters(date_from=date(2026, 1, 1), date_to=date(2026, 3, 31)))
    assert [m["points_awarded"] for m in months] == points["points_awarded"].to_list()
    assert all(m["active_candidates"] > 0 for m in months)

    chat = client.get("/api/chatbot/analytics/", params={"business_unit": "huntu"}).json()
    expected = an.chatbot(snap, policy.ALL, an.Filters(business_units=("huntu",)), []).row(0, named=True)
    assert chat["totals"]["conversations"] == expected["conversations"] > 0
    assert sum(c["conversations"] for c in chat["by_channel"].values()) == expected["conversations"]
    assert chat["totals"]["chat_resolution_rate"] == pytest.approx(expected["resolved"] / expected["conversations"])
    assert chat["intents"] and chat["intents"][0]["messages"] >= chat["intents"][-1]["messages"]


def test_payments_list_charges_and_invoices_of_the_snapshot(snap, api_as):
    client = api_as("analyst")
    charges = client.get("/api/payments/transactions/", params={"limit": 5}).json()
    (count,), = snap.cursor().sql("SELECT count(*) FROM intermediate.int_stripe__charges_mxn").fetchall()
    assert charges["total"] == count > 5 and len(charges["items"]) == 5
    dates = [c["charge_date"] for c in charges["items"]]
    assert dates == sorted(dates, reverse=True)
    failed = client.get("/api/payments/transactions/", params={"status": "failed", "limit": 500}).json()
    assert {c["status"] for c in failed["items"]} <= {"failed"}
    paid = client.get("/api/payments/invoices/", params={"status": "paid", "limit": 2}).json()
    assert paid["total"] > 0 and {i["status"] for i in paid["items"]} == {"paid"}


def test_reports_are_the_files_the_dashboard_builds(snap, api_as):
    from openpyxl import load_workbook

    from serving.reports.roi import build_roi_report

    lo, hi = an.data_range(snap)
    manager = api_as("bu_manager", bu="huntred")
    pdf = manager.get("/api/reports/roi", params={"from": str(lo), "to": str(hi)})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF") and pdf.headers["content-type"] == "application/pdf"
    xlsx = manager.get("/api/reports/roi", params={"from": str(lo), "to": str(hi), "format": "xlsx"})
    report = build_roi_report(snap, policy.Scope(business_unit="huntred"), "huntred", lo, hi)
    assert xlsx.headers["content-disposition"] == f'attachment; filename="{report.file_stem}.xlsx"'
    book = load_workbook(io.BytesIO(xlsx.content))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for c in row]
    assert report.value("applications") in cells and report.value("spend_mxn") in cells

    client_id = an.solutions_clients(snap, policy.ALL)["client_id"][0]
    bundle = api_as("client", client=client_id).get("/api/reports/client-export")
    assert bundle.status_code == 200
    assert any(n.endswith(".xlsx") for n in zipfile.ZipFile(io.BytesIO(bundle.content)).namelist())
