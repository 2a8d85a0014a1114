"""The two API calls that change the lakehouse: creating a segment and running the analyzers."""
from __future__ import annotations

import shutil
import time

import pytest

from tests.conftest import point_at


@pytest.fixture
def writable(built_lakehouse, tmp_path):
    warehouse = tmp_path / "warehouse"
    shutil.copytree(built_lakehouse[0], warehouse, ignore=shutil.ignore_patterns("dagster", "logs", "audit", "api_keys.json"))
    point_at(warehouse)
    return warehouse


def test_a_segment_created_over_the_api_is_published_and_scoped(writable, api_as):
    manager = api_as("bu_manager", bu="huntu")
    before = manager.get("/api/aura/segments/")
    created = manager.post("/api/aura/segment/", json={"name": "Python people", "rules": {"skills": ["Python"]}})
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["bu"] == "huntu" and body["members"] >= 0 and body["rules"] == {"skills": ["Python"]}
    after = manager.get("/api/aura/segments/")
    assert after.headers["X-Snapshot"] != before.headers["X-Snapshot"]  # published in a new snapshot
    assert body["id"] in {s["id"] for s in after.json()}
    assert body["id"] not in {s["id"] for s in api_as("bu_manager", bu="amigro").get("/api/aura/segments/").json()}
    other = manager.post("/api/aura/segment/", json={"name": "x", "rules": {"skills": ["Python"]}, "bu": "amigro"})
    assert other.status_code == 403


def test_running_the_analyzers_over_the_api_records_a_new_run(writable, api_as):
    scientist = api_as("data_scientist")
    before = {a["id"]: a["last_run"] for a in scientist.get("/api/analyzers/").json()}
    started = scientist.post("/api/analyzers/run/")
    assert started.status_code == 202, started.text
    log = writable / started.json()["log_file"]
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        now = {a["id"]: a["last_run"] for a in scientist.get("/api/analyzers/").json()}
        if all(now[i] != before[i] for i in before):
            break
        time.sleep(1)
    assert all(now[i] > before[i] for i in before), log.read_text()[-2000:]
    assert log.exists()
