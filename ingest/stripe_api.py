"""Pulling from the Stripe API with the official SDK: a backfill of the object lists, then the events since a cursor.

Each page the SDK's pagination yields is landed as a list page under
``landing/stripe/api/pull-<stamp>/<resource>/`` (written aside, fsynced, renamed, like every landing file) and
ingested at once, in one transaction with the stream's cursor in ``meta.source_cursors``: the cursor never runs
ahead of the rows, and what a killed pull landed but did not commit is ingested by the next run like any file.

Idempotent by construction: an event already in raw, or an object whose latest version in raw has the same content,
is not landed again, so a resumed or repeated pull adds nothing twice.

* **Backfill** (``backfill:<resource>``): Stripe lists newest first; the cursor is the oldest id committed, and a
  resumed backfill continues with ``starting_after`` it. Done once per resource.
* **Events** (``events``): ``created >= cursor``, with the events of that second already in raw skipped. The
  cursor moves to the newest event only when the whole window is committed (the list is newest first, so a partial
  window says nothing about older events). The first window is every event Stripe keeps (30 days): the history of
  changes the backfill's current states do not show, and whatever changed during the backfill. A pull less often
  than every 30 days needs a backfill again.
* **Rate limits**: the SDK retries network errors and 5xx (``max_network_retries``, its backoff); a 429 is waited out
  for its ``Retry-After`` and the listing resumed after the last object received.
"""
from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

import duckdb
import orjson
import stripe

from foundation.landing import fault_point, land
from ingest.driver import ingest_family, ingest_files, landing_file
from models.enums import SourceFamily

stripe.enable_telemetry = False

#: The API version every request asks for and every pulled page records: objects are read as this version shapes
#: them, whatever the account's default. The SDK's own pin; change it with the SDK.
API_VERSION = stripe.api_version
SOURCE = "stripe"
#: The lists a backfill reads, in the order their references need (a charge names its customer and invoice).
BACKFILL_RESOURCES = ("customers", "products", "prices", "plans", "subscriptions", "invoices", "charges", "refunds",
                      "payment_intents", "disputes", "credit_notes", "balance_transactions")
#: Objects per landed page (Stripe's largest page).
PAGE_SIZE = 100
#: How many 429s in a row a pull waits out before it gives up (the next scheduled pull resumes from the cursor).
MAX_RATE_LIMIT_WAITS = 5


@dataclass
class PullSummary:
    api_version: str = API_VERSION
    pages: int = 0
    requests_waited: int = 0  # 429s waited out
    objects: dict[str, int] = field(default_factory=dict)  # resource -> objects landed
    skipped: dict[str, int] = field(default_factory=dict)  # resource -> objects already in raw, unchanged
    rows_loaded: int = 0
    rows_quarantined: int = 0

    @property
    def landed(self) -> int:
        return sum(self.objects.values())


def client(api_key: str, base_url: str, max_network_retries: int) -> stripe.StripeClient:
    return stripe.StripeClient(api_key, base_addresses={"api": base_url.rstrip("/")}, stripe_version=API_VERSION,
                               max_network_retries=max_network_retries)


def _retry_after(exc: stripe.RateLimitError) -> float:
    headers = exc.headers or {}
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    try:
        return min(max(float(value), 0.0), 60.0) if value is not None else 1.0
    except ValueError:
        return 1.0


def listing(list_page: Callable[[dict], stripe.ListObject], params: dict, after: str | None = None,
            sleep: Callable[[float], None] = time.sleep, on_wait: Callable[[], None] = lambda: None) -> Iterator[dict]:
    """Every object of a list, newest first, page after page as the SDK pages (``ListObject.next_page``), each as
    the JSON Stripe sent (the SDK's objects turn amounts into Decimals and lose the order of fields); after a 429
    the listing resumes after the last object it yielded."""
    waits = 0
    while True:
        try:
            page = list_page({**params, "limit": PAGE_SIZE, **({"starting_after": after} if after else {})})
            while True:
                waits = 0
                for obj in page.last_response.data["data"]:
                    after = obj["id"]
                    yield obj
                if not page.has_more:
                    return
                page = page.next_page()
        except stripe.RateLimitError as exc:
            waits += 1
            if waits > MAX_RATE_LIMIT_WAITS:
                raise
            on_wait()
            sleep(_retry_after(exc))


def _batches(objects: Iterator[dict], size: int = PAGE_SIZE) -> Iterator[list[dict]]:
    batch: list[dict] = []
    for obj in objects:
        batch.append(obj)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _content_hash(obj: dict) -> str:
    return hashlib.sha256(orjson.dumps(obj)).hexdigest()  # as ingest.stripe hashes what it stores


def read_cursors(con: duckdb.DuckDBPyConnection) -> dict[str, dict]:
    return {stream: orjson.loads(cursor) for stream, cursor in con.execute(
        "SELECT stream, cursor FROM meta.source_cursors WHERE source = $s", {"s": SOURCE}).fetchall()}


def _cursor_writer(stream: str, cursor: dict, run_id: str) -> Callable[[duckdb.DuckDBPyConnection], None]:
    def write(con: duckdb.DuckDBPyConnection) -> None:
        con.execute("INSERT OR REPLACE INTO meta.source_cursors VALUES ($s, $stream, $c, $v, now(), $run)",
                    {"s": SOURCE, "stream": stream, "c": orjson.dumps(cursor).decode(), "v": API_VERSION, "run": run_id})
    return write


def _new_only(con: duckdb.DuckDBPyConnection, batch: list[dict]) -> list[dict]:
    """The objects of a batch not already in raw as they are now (events by id; objects by their latest content)."""
    events = [o["id"] for o in batch if o.get("object") == "event"]
    known_events = {i for (i,) in con.execute("SELECT event_id FROM raw.stripe_events WHERE list_contains($ids, event_id)",
                                              {"ids": events}).fetchall()} if events else set()
    ids = [o["id"] for o in batch if o.get("object") != "event"]
    latest = dict(con.execute(
        "SELECT object_type || ':' || object_id, arg_max(_content_hash, observed_at) FROM raw.stripe_objects "
        "WHERE list_contains($ids, object_id) GROUP BY 1", {"ids": ids}).fetchall()) if ids else {}
    return [o for o in batch if (o["id"] not in known_events if o.get("object") == "event"
                                 else latest.get(f"{o['object']}:{o['id']}") != _content_hash(o))]


class Puller:
    """One pull: lands and commits batch after batch, each with its stream's cursor."""

    def __init__(self, con: duckdb.DuckDBPyConnection, sdk: stripe.StripeClient, landing_root: Path, run_id: str,
                 sleep: Callable[[float], None] = time.sleep):
        self.con, self.sdk, self.landing_root, self.run_id, self.sleep = con, sdk, landing_root, run_id, sleep
        self.folder = Path("stripe", "api", f"pull-{datetime.now(timezone.utc):%Y%m%dT%H%M%S%fZ}-{run_id[:8]}")
        self.summary = PullSummary()

    def _waited(self) -> None:
        self.summary.requests_waited += 1

    def _commit(self, resource: str, batch: list[dict], stream: str, cursor: dict) -> None:
        fresh = _new_only(self.con, batch)
        self.summary.skipped[resource] = self.summary.skipped.get(resource, 0) + len(batch) - len(fresh)
        if not fresh:  # nothing new: the cursor still moves, alone
            self.con.begin()
            _cursor_writer(stream, cursor, self.run_id)(self.con)
            self.con.commit()
            return
        self.summary.pages += 1
        page = {"object": "list", "url": f"/v1/{resource}", "has_more": False, "api_version": API_VERSION,
                "data": fresh}
        path = self.landing_root / self.folder / resource / f"page_{self.summary.pages:05d}.json"
        land(path, orjson.dumps(page))
        fault_point(f"stripe_pull:landed:{self.summary.pages}")  # the crash tests kill here: landed, not committed
        ingested = ingest_files(self.con, [landing_file(self.landing_root, path)], self.run_id,
                                within=_cursor_writer(stream, cursor, self.run_id))
        self.summary.objects[resource] = self.summary.objects.get(resource, 0) + len(fresh)
        self.summary.rows_loaded += ingested.records_loaded
        self.summary.rows_quarantined += ingested.records_quarantined
        fault_point(f"stripe_pull:committed:{self.summary.pages}")

    def backfill(self, resources: tuple[str, ...] = BACKFILL_RESOURCES) -> None:
        cursors = read_cursors(self.con)
        for resource in resources:
            stream = f"backfill:{resource}"
            after = cursors.get(stream, {}).get("after")
            if cursors.get(stream, {}).get("complete"):
                continue
            service = getattr(self.sdk.v1, resource)
            for batch in _batches(listing(service.list, {}, after, self.sleep, self._waited)):
                after = batch[-1]["id"]
                self._commit(resource, batch, stream, {"after": after})
            self.con.begin()
            _cursor_writer(stream, {"complete": True, "after": after}, self.run_id)(self.con)
            self.con.commit()

    def events(self) -> None:
        state = read_cursors(self.con).get("events", {"created_gte": 0})
        window = state["created_gte"]
        newest = window
        for batch in _batches(listing(self.sdk.v1.events.list, {"created": {"gte": window}}, None, self.sleep,
                                      self._waited)):
            newest = max(newest, *(e["created"] for e in batch))
            self._commit("events", batch, "events", {**state, "created_gte": window})  # the window stays open
        self.con.begin()
        _cursor_writer("events", {"created_gte": newest}, self.run_id)(self.con)  # now every event of it is in
        self.con.commit()


def pull(con: duckdb.DuckDBPyConnection, sdk: stripe.StripeClient, landing_root: Path, run_id: str, *,
         backfill: bool = True, webhook_secret: str | None = None,
         sleep: Callable[[float], None] = time.sleep) -> PullSummary:
    """The backfill of every list not yet complete (unless ``backfill=False``), then the events since the cursor."""
    # what a killed pull landed but never committed goes in first, so the pull knows it and does not land it again
    ingest_family(con, landing_root, SourceFamily.STRIPE, run_id, webhook_secret=webhook_secret)
    puller = Puller(con, sdk, landing_root, run_id, sleep)
    if backfill:
        puller.backfill()
    puller.events()
    return puller.summary
