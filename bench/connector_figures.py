"""The Stripe connector against the local fake of the API (tests/fake_stripe.py): objects per second and pages,
for a first pull (backfill and events), a pull with nothing new, and the same first pull through scripted faults
(429 with a 1 s Retry-After, a 500, a dropped connection). In-process, on a fresh warehouse per measure."""
from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def stripe_pull_figures(customers: int = 2_000, events: int = 2_000) -> dict:
    from foundation.settings import get_settings
    from foundation.warehouse import connect_writer
    from ingest import stripe_api
    from tests.fake_stripe import API_KEY, FakeStripe, account

    data = account(customers=customers, events=events)
    out = {"customers": customers, "events": events}
    for label, faults in (("clean", {}), ("faults", {3: "429", 9: "500", 14: "drop"})):
        with tempfile.TemporaryDirectory(prefix="huntred-bench-pull-") as root, FakeStripe(data) as fake:
            os.environ["HUNTRED_WAREHOUSE_DIR"] = str(Path(root) / "warehouse")
            get_settings.cache_clear()
            fake.faults = faults
            con = connect_writer(get_settings())
            sdk = stripe_api.client(API_KEY, fake.url, max_network_retries=3)
            started = time.perf_counter()
            first = stripe_api.pull(con, sdk, get_settings().landing_dir, "bench-first")
            first_s = time.perf_counter() - started
            started = time.perf_counter()
            stripe_api.pull(con, sdk, get_settings().landing_dir, "bench-again")
            again_s = time.perf_counter() - started
            con.close()
        out[label] = {"objects": first.landed, "pages": first.pages, "requests": len(fake.requests),
                      "first_pull_s": round(first_s, 2), "objects_per_s": round(first.landed / first_s),
                      "nothing_new_s": round(again_s, 2)}
    return out


def markdown(figures: dict) -> str:
    clean, faults = figures["clean"], figures["faults"]
    return "\n".join([
        f"Stripe pull against the local fake ({figures['customers']:,} customers, {clean['objects']:,} objects and "
        f"events):",
        "", "| measure | clean | with a 429, a 500 and a dropped connection |", "|---|---|---|",
        f"| first pull: objects landed and committed | {clean['objects']:,} | {faults['objects']:,} |",
        f"| ... pages, requests | {clean['pages']:,}, {clean['requests']:,} | {faults['pages']:,}, {faults['requests']:,} |",
        f"| ... seconds | {clean['first_pull_s']} | {faults['first_pull_s']} |",
        f"| ... objects/s | {clean['objects_per_s']:,} | {faults['objects_per_s']:,} |",
        f"| a pull with nothing new (s) | {clean['nothing_new_s']} | {faults['nothing_new_s']} |",
    ])


if __name__ == "__main__":
    print(markdown(stripe_pull_figures()))
