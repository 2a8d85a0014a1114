"""The API keeps answering while a pipeline run writes and publishes a new snapshot, and never mixes two snapshots."""
from __future__ import annotations

import shutil
import threading
import time

import httpx
import orjson

from access.api_keys import create_key
from foundation.landing import land
from foundation.settings import get_settings
from orchestration.runs import run_pipeline
from tests.api.server import serving
from tests.conftest import point_at

NEW_APPLICATIONS = 30


def application_events(landing, n: int) -> tuple[str, list[dict]]:
    """n new applications to one campaign, cloned from a real one (same day and channel, new ids)."""
    for f in sorted((landing / "ats_events").glob("*.jsonl")):
        for line in f.read_bytes().splitlines():
            e = orjson.loads(line)
            if e["event_type"] == "workflow.stage_changed" and e["payload"]["to_stage"] == "applied" and e["campaign_id"]:
                return e["campaign_id"], [
                    {**e, "event_id": f"evt_live_{i:04d}", "payload": {**e["payload"], "application_id": f"app_live_{i:04d}"}}
                    for i in range(n)]
    raise AssertionError("the sample has no campaign application")


def test_requests_during_a_run_all_succeed_and_each_reads_one_snapshot(built_lakehouse, tmp_path):
    warehouse = tmp_path / "warehouse"
    shutil.copytree(built_lakehouse[0], warehouse, ignore=shutil.ignore_patterns("dagster", "logs", "audit"))
    point_at(warehouse)
    settings = get_settings()
    token, _ = create_key(settings.api_keys_path, "analyst", rate_per_minute=10**9)
    campaign, events = application_events(settings.landing_dir, NEW_APPLICATIONS)
    land(settings.landing_dir / "ats_events" / "live" / "applications.jsonl",
         b"\n".join(orjson.dumps(e) for e in events) + b"\n")

    seen: list[tuple[int, int | None, int | None, str | None]] = []  # status, applications, sum by channel, snapshot
    stop = threading.Event()

    def poll(url: str) -> None:
        with httpx.Client(base_url=url, headers={"X-API-Key": token}, timeout=30) as http:
            while not stop.is_set():
                r = http.get(f"/api/publish/campaigns/{campaign}/metrics/")
                body = r.json() if r.status_code == 200 else {}
                seen.append((r.status_code, body.get("applications"),
                             sum(c["applications"] for c in body.get("by_channel", {}).values()) if body else None,
                             r.headers.get("X-Snapshot")))

    with serving(warehouse) as (_, url):
        poller = threading.Thread(target=poll, args=(url,))
        poller.start()
        while len(seen) < 5:
            time.sleep(0.05)
        outcome = run_pipeline()
        after_run = len(seen)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and len({s[3] for s in seen}) < 2:
            time.sleep(0.1)
        time.sleep(0.5)
        stop.set()
        poller.join(timeout=30)

    assert outcome.success, outcome.errors
    assert after_run > 20, "the poller kept being answered while the run went on"
    assert all(status == 200 for status, *_ in seen), {s for s, *_ in seen}
    assert all(total == by_channel for _, total, by_channel, _ in seen), "totals and channels came from one snapshot"
    values = [total for _, total, _, _ in seen]
    old, new = values[0], values[-1]
    assert new == old + NEW_APPLICATIONS
    switch = values.index(new)
    assert set(values[:switch]) == {old} and set(values[switch:]) == {new}, "one switch, never back"
    by_snapshot: dict[str, set[int]] = {}
    for _, total, _, name in seen:
        by_snapshot.setdefault(name, set()).add(total)
    assert len(by_snapshot) == 2 and all(len(v) == 1 for v in by_snapshot.values()), by_snapshot
