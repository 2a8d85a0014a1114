"""The API serves the snapshot; errors are problem+json with a sentence."""
from __future__ import annotations

from fastapi.testclient import TestClient

from api.main import app


def test_ready_is_503_problem_json_until_a_snapshot_exists(warehouse):
    client = TestClient(app)
    assert client.get("/health").json() == {"status": "ok"}
    response = client.get("/ready")
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["detail"].startswith("No data has been published yet.")


def test_status_endpoints_report_the_ledger(on_built, generated, api_as):
    _, manifest = generated
    client = api_as("analyst")
    ready = client.get("/ready").json()
    assert ready["status"] == "ready" and ready["data_age_seconds"] >= 0
    sources = {s["source"]: s for s in client.get("/api/status/sources/").json()}
    assert sources["ats_events"]["rows_loaded"] == manifest.raw_rows["ats_events"]
    assert sources["stripe"]["rows_loaded"] == manifest.raw_rows["stripe_events"] + manifest.raw_rows["stripe_objects"]
    for s in sources.values():
        assert s["records_read"] == s["rows_loaded"] + s["rows_quarantined"]
    quarantine = client.get("/api/status/quarantine/").json()
    assert sum(q["records"] for q in quarantine) == sum(manifest.quarantined.values())


def test_openapi_documents_every_route_with_examples():
    schema = TestClient(app).get("/openapi.json").json()
    assert {"/health", "/ready", "/api/status/sources/", "/api/status/quarantine/"} <= set(schema["paths"])
    for name in ("SourceStatus", "Campaign", "CampaignMetrics", "ChurnScore", "Transaction", "Invoice", "EventBatchResult",
                 "EngagementReport", "ChatbotAnalytics", "SegmentCreate", "WebhookReceipt"):
        assert schema["components"]["schemas"][name].get("examples"), f"{name} has no example"
    assert schema["components"]["securitySchemes"]["APIKeyHeader"]["name"] == "X-API-Key"
    assert TestClient(app).get("/docs").status_code == 200


def test_every_route_is_documented_in_docs_api_md_and_the_readme():
    from tests.conftest import REPO

    reference = (REPO / "docs" / "api.md").read_text(encoding="utf-8")
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    schema = TestClient(app).get("/openapi.json").json()
    for path, operations in schema["paths"].items():
        shown = path.replace("{campaign_id}", "{id}").replace("{analyzer_id}", "{id}")
        for method in operations:
            assert f"{method.upper()} {shown}" in reference, f"{method.upper()} {path} is not in docs/api.md"
        assert shown in readme, f"{path} is not in the README"
