"""A local fake of the Stripe API's list endpoints, on 127.0.0.1, for the connector's tests and its bench.

It serves Stripe's own objects (``fixtures3.json`` of stripe/openapi, MIT, ``shared/fixtures/stripe``) copied into
an account of ``customers`` customers with their subscriptions, invoices, charges and refunds, plus products,
prices and the other listed types, and ``events`` events. Lists behave as Stripe's: newest first, ``limit``,
``starting_after`` / ``ending_before``, ``created[gte]``, ``has_more``. Faults are scripted per request number:
``429`` (with ``Retry-After``), ``500``, or ``drop`` (the connection closes without an answer).
"""
from __future__ import annotations

import copy
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qs, urlparse

API_KEY = "sk_test_fake_connector"
#: Stripe's fixtures, beside the project as in CI (tests.conftest.FIXTURES; a test without them skips, or fails in CI)
FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "stripe" / "fixtures3.json"
#: list path -> fixture resource copied for it
COPIED = {"products": "product", "prices": "price", "plans": "plan", "payment_intents": "payment_intent",
          "disputes": "dispute", "credit_notes": "credit_note", "balance_transactions": "balance_transaction"}


@dataclass
class Request:
    path: str
    query: dict
    status: int
    at: float
    stripe_version: str | None


@dataclass
class FakeAccount:
    lists: dict[str, list[dict]] = field(default_factory=dict)  # path -> objects, oldest first

    def add_event(self, event: dict) -> None:
        self.lists["events"].append(event)


def account(customers: int = 60, events: int = 150, start: int = 1_760_000_000) -> FakeAccount:
    """Stripe's fixture objects as one account's history, every id unique and every reference to an object served."""
    from tests.conftest import need_fixture  # lazy: the bench imports this module without pytest's conftest

    r = json.loads(need_fixture(FIXTURES).read_text())["resources"]
    lists: dict[str, list[dict]] = {k: [] for k in ("customers", "subscriptions", "invoices", "charges", "refunds",
                                                    "events", *COPIED)}
    t = start

    def stamp(obj: dict, new_id: str) -> dict:
        nonlocal t
        t += 37
        obj = copy.deepcopy(obj)
        obj.update(id=new_id, created=t)
        return obj

    for i in range(customers):
        cus = stamp(r["customer"], f"cus_fake{i:05d}")
        lists["customers"].append(cus)
        lists["subscriptions"].append({**stamp(r["subscription"], f"sub_fake{i:05d}"), "customer": cus["id"]})
        inv = {**stamp(r["invoice"], f"in_fake{i:05d}"), "customer": cus["id"]}
        lists["invoices"].append(inv)
        ch = {**stamp(r["charge"], f"ch_fake{i:05d}"), "customer": cus["id"], "invoice": inv["id"]}
        lists["charges"].append(ch)
        if i % 7 == 0:
            lists["refunds"].append({**stamp(r["refund"], f"re_fake{i:05d}"), "charge": ch["id"]})
    for path, name in COPIED.items():
        for i in range(max(3, customers // 10)):
            lists[path].append(stamp(r[name], f"{r[name]['id']}_fake{i:05d}"))
    for i in range(events):
        customer = lists["customers"][i % customers]
        lists["events"].append({**stamp(r["event"], f"evt_fake{i:06d}"), "type": "customer.updated",
                                "data": {"object": {**customer, "description": f"update {i}"}}})
    return FakeAccount(lists)


class FakeStripe:
    """The server: ``with FakeStripe(account()) as fake: fake.url``; ``fake.faults[n] = "429"`` scripts request n."""

    def __init__(self, data: FakeAccount, retry_after: float = 1.0):
        self.data, self.retry_after = data, retry_after
        self.faults: dict[int, str] = {}
        #: a fault for every request it names (path, query): an outage of part of the API until it is set to None
        self.outage: Callable[[str, dict], str | None] | None = None
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):  # noqa: N802 - http.server's name
                fake._answer(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> FakeStripe:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def served(self, path: str) -> list[dict]:
        return self.data.lists[path]

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        url = urlparse(handler.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        with self._lock:
            number = len(self.requests) + 1
            fault = self.faults.get(number) or (self.outage(url.path, query) if self.outage else None)
        status, body, headers = self._respond(url.path, query, handler.headers.get("Authorization"), fault)
        with self._lock:
            self.requests.append(Request(url.path, query, status, time.monotonic(), handler.headers.get("Stripe-Version")))
        if status == 0:  # a dropped connection: no answer at all
            handler.close_connection = True
            handler.connection.shutdown(2)
            return
        data = json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.send_header("Request-Id", f"req_fake{number}")
        for k, v in headers.items():
            handler.send_header(k, v)
        handler.end_headers()
        handler.wfile.write(data)

    def _respond(self, path: str, query: dict, auth: str | None, fault: str | None) -> tuple[int, dict, dict]:
        if fault == "drop":
            return 0, {}, {}
        if fault == "429":
            return 429, {"error": {"type": "invalid_request_error", "code": "rate_limit",
                                   "message": "Too many requests hit the API too quickly."}}, \
                {"Retry-After": str(self.retry_after), "Stripe-Should-Retry": "false"}
        if fault == "500":
            return 500, {"error": {"type": "api_error", "message": "Something went wrong on Stripe's end."}}, {}
        if auth != f"Bearer {API_KEY}":
            return 401, {"error": {"type": "invalid_request_error", "message": "Invalid API Key provided."}}, {}
        name = path.removeprefix("/v1/")
        if name not in self.data.lists:
            return 404, {"error": {"type": "invalid_request_error", "message": f"Unrecognized request URL (GET: {path})."}}, {}
        newest_first = sorted(self.data.lists[name], key=lambda o: (o["created"], o["id"]), reverse=True)
        if "created[gte]" in query:
            newest_first = [o for o in newest_first if o["created"] >= int(query["created[gte]"])]
        ids = [o["id"] for o in newest_first]
        if query.get("starting_after") in ids:
            newest_first = newest_first[ids.index(query["starting_after"]) + 1:]
        elif query.get("ending_before") in ids:
            newest_first = newest_first[:ids.index(query["ending_before"])]
        limit = min(int(query.get("limit", 10)), 100)
        return 200, {"object": "list", "url": path, "has_more": len(newest_first) > limit,
                     "data": newest_first[:limit]}, {}
