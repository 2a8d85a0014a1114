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


def analyzers_ran_again(scientist, before: dict, timeout: float = 600) -> bool:
    """Wait until every analyzer shows a newer last run than ``before`` (a published run), or the timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = {a["id"]: a["last_run"] for a in scientist.get("/api/analyzers/").json()}
        if all(now[i] != before[i] for i in before):
            return all(now[i] > before[i] for i in before)
        time.sleep(1)
    return False


def test_running_the_analyzers_over_the_api_records_a_new_run(writable, api_as):
    scientist = api_as("data_scientist")
    before = {a["id"]: a["last_run"] for a in scientist.get("/api/analyzers/").json()}
    started = scientist.post("/api/analyzers/run/")
    assert started.status_code == 202, started.text
    log = writable / started.json()["log_file"]
    assert analyzers_ran_again(scientist, before), log.read_text()[-2000:]


def test_a_bu_manager_cannot_take_over_another_bus_segment(writable, api_as):
    """Regression: segment ids were a hash of the name only, so amigro's manager posting huntred's segment name
    (any case) moved it to amigro, and it stayed there through later runs."""
    from access import audit
    from foundation.settings import get_settings
    from foundation.warehouse import connect_writer
    from ml.aura.segments import refresh_all

    def stored(con) -> dict[str, tuple]:
        return {sid: (name, bu, rules) for sid, name, bu, rules in
                con.sql("SELECT segment_id, name, business_unit, rules_json FROM ml.segments").fetchall()}

    owner = api_as("bu_manager", bu="huntred")
    theirs = owner.post("/api/aura/segment/", json={"name": "Data Seniors", "rules": {"skills": ["Python"], "experiencia": ">5"}})
    assert theirs.status_code == 201, theirs.text
    intruder = api_as("bu_manager", bu="amigro")
    mine = intruder.post("/api/aura/segment/", json={"name": "DATA SENIORS", "rules": {"skills": ["Excel"]}})
    assert mine.status_code == 201 and mine.json()["bu"] == "amigro"
    assert mine.json()["id"] != theirs.json()["id"]  # amigro got its own segment; huntred's is untouched
    forced = intruder.post("/api/aura/segment/", json={"name": "Data Seniors", "rules": {"skills": ["Excel"]}, "bu": "huntred"})
    assert forced.status_code == 403
    assert any(r["status"] == 403 and r["resource"] == "/api/aura/segment/" and r["role"] == "bu_manager"
               for r in audit.read(get_settings().audit_dir))
    seen_by_owner = {s["id"]: s for s in owner.get("/api/aura/segments/").json()}
    assert seen_by_owner[theirs.json()["id"]]["rules"] == {"skills": ["Python"], "experiencia": ">5"}
    assert mine.json()["id"] not in seen_by_owner
    con = connect_writer(get_settings())  # what the next pipeline run does with stored segments
    try:
        refresh_all(con)
        after = stored(con)
    finally:
        con.close()
    assert after[theirs.json()["id"]][1:] == ("huntred", '{"skills": ["Python"], "experiencia": ">5"}')
    assert after[mine.json()["id"]][1] == "amigro"
    assert len([s for s in after.values() if s[0].lower() == "data seniors"]) == 2


def test_concurrent_analyzer_run_requests_start_one_run(writable, api_as):
    """Regression: six concurrent POST /api/analyzers/run/ each spawned a `huntred run`; five then failed as busy."""
    from concurrent.futures import ThreadPoolExecutor

    scientist = api_as("data_scientist")
    before = {a["id"]: a["last_run"] for a in scientist.get("/api/analyzers/").json()}
    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(lambda _: scientist.post("/api/analyzers/run/"), range(6)))
    assert [a.status_code for a in answers] == [202] * 6, [a.text for a in answers]
    bodies = [a.json() for a in answers]
    assert len({b["run_key"] for b in bodies}) == 1
    assert sorted(b["coalesced"] for b in bodies) == [False] + [True] * 5
    logs = list((writable / "logs").glob("analyzers-*.log"))
    assert len(logs) == 1  # one process was started
    assert analyzers_ran_again(scientist, before), logs[0].read_text()[-2000:]
