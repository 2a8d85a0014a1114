"""The Stripe connector against a local fake of the API (tests/fake_stripe.py): every object once, through rate
limits, server errors and dropped connections; the cursor moves only with what it stands for; a killed pull resumes."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
import stripe

from foundation.settings import get_settings
from foundation.warehouse import connect_writer
from ingest import stripe_api
from tests.conftest import REPO
from tests.fake_stripe import API_KEY, FakeStripe, account


def raw_objects(con) -> list[tuple[str, str]]:
    return con.sql("SELECT object_type, object_id FROM raw.stripe_objects ORDER BY ALL").fetchall()


def served_objects(fake: FakeStripe) -> list[tuple[str, str]]:
    return sorted((o["object"], o["id"]) for path, objs in fake.data.lists.items() if path != "events" for o in objs)


def do_pull(con, fake: FakeStripe, run_id: str, waits: list[float] | None = None):
    sdk = stripe_api.client(API_KEY, fake.url, max_network_retries=3)
    return stripe_api.pull(con, sdk, get_settings().landing_dir, run_id,
                           sleep=lambda s: (waits.append(s) if waits is not None else None, time.sleep(s)))


def test_a_pull_through_429s_500s_and_dropped_connections_lands_every_object_once(warehouse):
    with FakeStripe(account(customers=150, events=260), retry_after=1.0) as fake:
        # a 429 on a later page of customers, a 500 and a dropped connection elsewhere
        fake.faults = {2: "429", 6: "500", 9: "drop", 16: "429"}
        con = connect_writer(get_settings())
        waits: list[float] = []
        first = do_pull(con, fake, "run-first0001", waits)
        assert raw_objects(con) == served_objects(fake)  # none missed, none twice
        events = con.sql("SELECT event_id FROM raw.stripe_events ORDER BY 1").fetchall()
        assert [e for (e,) in events] == sorted(e["id"] for e in fake.served("events"))
        assert con.sql("SELECT count(*) FROM quarantine.records").fetchall() == [(0,)]
        # the 429s were waited out for their Retry-After, and the listing went on after the last object it had
        assert first.requests_waited == 2 and waits == [1.0, 1.0]
        after_429 = [r for i, r in enumerate(fake.requests) if i and fake.requests[i - 1].status == 429]
        assert all(r.status == 200 for r in after_429)
        assert [r.status for r in fake.requests].count(0) == 1 and [r.status for r in fake.requests].count(500) == 1
        # every request asked for the pinned API version; every page landed says which it was
        assert {r.stripe_version for r in fake.requests} == {stripe_api.API_VERSION}
        cursors = stripe_api.read_cursors(con)
        assert all(cursors[f"backfill:{r}"]["complete"] for r in stripe_api.BACKFILL_RESOURCES)
        assert cursors["events"]["created_gte"] == max(e["created"] for e in fake.served("events"))
        assert con.execute("SELECT DISTINCT api_version FROM meta.source_cursors").fetchall() == [(stripe_api.API_VERSION,)]

        # again: nothing new, one request (the events since the cursor), nothing landed
        before = len(fake.requests)
        again = do_pull(con, fake, "run-again0002")
        assert again.landed == 0 and len(fake.requests) - before == 1 and raw_objects(con) == served_objects(fake)

        # new events arrive: the next pull lands exactly those
        newest = max(e["created"] for e in fake.served("events"))
        for i in range(3):
            customer = fake.served("customers")[i]
            fake.data.add_event({**fake.served("events")[0], "id": f"evt_new{i}", "created": newest + 10 + i,
                                 "data": {"object": {**customer, "description": f"new {i}"}}})
        third = do_pull(con, fake, "run-third0003")
        assert third.objects == {"events": 3}
        assert con.sql("SELECT count(*) FROM raw.stripe_events").fetchall() == [(len(fake.served("events")),)]
        assert stripe_api.read_cursors(con)["events"]["created_gte"] == newest + 12


def test_a_pull_that_fails_inside_the_events_window_resumes_the_whole_window(warehouse):
    """Events come newest first: after the first page is in and the API fails on the next, the cursor must not have
    moved past the older events still to come, or the next pull never asks for them."""
    with FakeStripe(account(customers=5, events=350)) as fake:
        con = connect_writer(get_settings())
        fake.outage = lambda path, query: "500" if path == "/v1/events" and "starting_after" in query else None
        with pytest.raises(stripe.APIError):
            do_pull(con, fake, "run-outage01")
        assert 0 < con.sql("SELECT count(*) FROM raw.stripe_events").fetchall()[0][0] < 350
        fake.outage = None
        do_pull(con, fake, "run-after002")
        assert con.sql("SELECT count(*), count(DISTINCT event_id) FROM raw.stripe_events").fetchall() == [(350, 350)]


def test_an_object_changed_since_the_backfill_is_a_new_version_and_an_unchanged_one_is_not(warehouse):
    with FakeStripe(account(customers=20, events=0)) as fake:
        con = connect_writer(get_settings())
        do_pull(con, fake, "run-one00001")
        for name, value in (("backfill:customers", {"after": None}),):  # read the customers list again from the top
            con.execute("UPDATE meta.source_cursors SET cursor = $c WHERE stream = $s", {"c": '{"after": null}', "s": name})
        fake.served("customers")[0]["email"] = "changed@example.com"
        do_pull(con, fake, "run-two00002")
        versions = con.sql("SELECT object_id, count(*) FROM raw.stripe_objects WHERE object_type = 'customer' "
                           "GROUP BY 1 HAVING count(*) > 1").fetchall()
        assert versions == [(fake.served("customers")[0]["id"], 2)]


def huntred_pull(warehouse: Path, fake: FakeStripe, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(Path(sys.executable).with_name("huntred")), "pull", "stripe"], cwd=REPO,
                          capture_output=True, text=True, timeout=900,
                          env={**os.environ, "HUNTRED_WAREHOUSE_DIR": str(warehouse), "HUNTRED_STRIPE_API_KEY": API_KEY,
                               "HUNTRED_STRIPE_API_BASE": fake.url, **env})


@pytest.mark.parametrize("where", ["landed", "committed"])
def test_a_pull_killed_mid_way_resumes_and_nothing_is_missed_or_twice(tmp_path, where):
    """SIGKILL after the third page landed (not committed) or committed: `huntred pull stripe` again finishes it,
    builds and publishes, and raw holds each served object once."""
    warehouse = tmp_path / "warehouse"
    with FakeStripe(account(customers=250, events=120)) as fake:
        killed = huntred_pull(warehouse, fake, HUNTRED_FAULT=f"stripe_pull:{where}:3")
        assert killed.returncode == -9, killed.stdout[-2000:] + killed.stderr[-2000:]
        done = huntred_pull(warehouse, fake)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        assert "objects in" in done.stdout and "Traceback" not in done.stderr
        with duckdb.connect(str(warehouse / "lakehouse.duckdb"), read_only=True) as con:
            assert raw_objects(con) == served_objects(fake)
            assert con.sql("SELECT count(*), count(DISTINCT event_id) FROM raw.stripe_events").fetchall() == [
                (len(fake.served("events")),) * 2]
            assert con.sql("SELECT count(*) FROM quarantine.records").fetchall() == [(0,)]
            # every page in the landing zone is in the ledger, and the staging readers use was built from them
            pages = sorted(p.relative_to(warehouse / "landing").as_posix()
                           for p in (warehouse / "landing" / "stripe").rglob("*.json"))
            ledger = sorted(p for (p,) in con.sql("SELECT file_path FROM meta.ingested_files").fetchall())
            assert pages == ledger
            assert con.sql("SELECT count(*) FROM staging.stg_stripe__customers").fetchall() == [(250,)]


def test_without_a_key_the_pull_says_what_to_set(warehouse):
    result = subprocess.run([str(Path(sys.executable).with_name("huntred")), "pull", "stripe"], cwd=REPO,
                            capture_output=True, text=True, timeout=120,
                            env={**os.environ, "HUNTRED_WAREHOUSE_DIR": str(warehouse), "HUNTRED_STRIPE_API_KEY": ""})
    assert result.returncode == 2 and "HUNTRED_STRIPE_API_KEY" in result.stderr and "Traceback" not in result.stderr
