"""Stripe payments in Stripe's own shapes, delivered two ways.

* ``stripe/webhooks/YYYY-MM-DD.jsonl``: each line is one webhook request as our
  endpoint received it (arrival time, ``Stripe-Signature`` header, raw body).
  Signatures are computed exactly as Stripe does (HMAC-SHA256 of ``t.body``)
  with the configured webhook secret; ingestion verifies them with the stripe SDK.
* ``stripe/api/<resource>/page_NNNN.json``: paginated list responses
  (``{"object": "list", "data": [...], "has_more": ...}``) as an export job
  paging through the API at the end of the period leaves them.

What huntRED bills, as a recruiting group earns:

* **placement fees**: one invoice per hire into a client's vacancy, a share of the hire's first-year salary, sent when
  the hire starts and payable in 30 days; its metadata names the placement (application, vacancy, client, BU). A hire
  who leaves within the guarantee is replaced free of charge or the fee is refunded on a sliding scale.
* **subscriptions**: the monthly platform seats of every client (and huntRED Solutions' retainers).
* **consulting fees**: huntRED Solutions' projects, invoiced on delivery.
"""
from __future__ import annotations

import hashlib
import hmac
import string
from collections import defaultdict
from pathlib import Path

import orjson

from sample_data.manifest import Manifest
from sample_data import calibration as cal
from sample_data.world import DAY, Hire, World, rng_for

API_VERSION = "2025-09-30.clover"
PAGE_SIZE = 100
_B62 = string.digits + string.ascii_letters


def sign(payload: str, secret: str, timestamp: int) -> str:
    """The ``Stripe-Signature`` header value Stripe would send for this body."""
    mac = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


class StripeWriter:
    def __init__(self, world: World, out: Path, manifest: Manifest, secret: str) -> None:
        self.w, self.m, self.secret = world, manifest, secret
        self.rng = rng_for(world.seed, "stripe")
        self.root = out / "stripe"
        self.objects: dict[str, dict[str, dict]] = defaultdict(dict)  # resource -> id -> latest object
        self.deliveries: dict[int, list[tuple[int, bytes]]] = defaultdict(list)
        self.n_events = 0
        self.customers: dict[str, dict] = {}  # client id -> its Stripe customer

    def _id(self, prefix: str) -> str:
        return prefix + "_" + "".join(self.rng.choice(_B62) for _ in range(24))

    def _event(self, ts: int, event_type: str, obj: dict, previous: dict | None = None) -> None:
        if ts > self.w.end_ts:
            return
        self.n_events += 1
        data = {"object": obj} | ({"previous_attributes": previous} if previous else {})
        event = {"id": self._id("evt"), "object": "event", "api_version": API_VERSION, "created": ts, "data": data,
                 "livemode": False, "pending_webhooks": 1,
                 "request": {"id": self._id("req"), "idempotency_key": None}, "type": event_type}
        body = orjson.dumps(event).decode()
        arrival = ts + self.rng.randint(0, 4)
        delivery = {"received_at": arrival, "stripe_signature": sign(body, self.secret, arrival), "body": body}
        self.deliveries[max(0, self.w.day_of(arrival))].append((arrival, orjson.dumps(delivery)))
        self.m.expect_raw("stripe_events")
        self.objects[obj["object"]][obj["id"]] = obj

    def run(self) -> None:
        w = self.w
        for client in w.clients:
            if client.start_day >= w.days:
                continue
            created = w.ts(client.start_day, 10 * 3600)
            customer = {
                "id": self._id("cus")[:18], "object": "customer", "address": None, "balance": 0, "created": created,
                "currency": client.currency.value.lower(), "default_source": None, "delinquent": False,
                "description": client.name, "email": f"facturacion@{client.id.replace('_', '')}.com.mx",
                "invoice_prefix": client.id.upper().replace("_", "")[:8], "livemode": False,
                "metadata": {"business_unit": client.business_unit.value, "client_id": client.id},
                "name": client.name, "phone": None, "preferred_locales": ["es-419"], "tax_exempt": "none",
            }
            self.customers[client.id] = customer
            if created >= w.ts(0):
                self._event(created, "customer.created", customer)
            else:  # a customer from before the period: only the API export shows it
                self.objects["customer"][customer["id"]] = customer
            self._subscription_life(client, customer)

    def _subscription_life(self, client, customer: dict) -> None:
        w, r = self.w, self.rng
        quantity = r.randint(1, 3)
        price = {"id": self._id("price"), "object": "price", "currency": customer["currency"], "product": self._id("prod"),
                 "recurring": {"interval": "month", "interval_count": 1}, "unit_amount": client.monthly_fee, "type": "recurring"}
        sub_id = self._id("sub")
        start = w.ts(client.start_day, 10 * 3600)
        sub = {"id": sub_id, "object": "subscription", "created": start, "currency": customer["currency"],
               "customer": customer["id"], "status": "active", "canceled_at": None, "ended_at": None,
               "start_date": start, "cancel_at_period_end": False, "collection_method": "charge_automatically",
               "items": {"object": "list", "data": [{"id": self._id("si"), "object": "subscription_item", "price": price,
                                                      "quantity": quantity}], "has_more": False},
               "livemode": False, "metadata": {"client_id": client.id}}
        if start >= w.ts(0):
            self._event(start, "customer.subscription.created", dict(sub))
        else:
            self.objects["subscription"][sub_id] = dict(sub)
        month = 0
        end_day = client.churn_day if client.churn_day is not None else w.days
        while True:
            period_start = start + month * 30 * DAY
            if w.day_of(period_start) >= min(end_day, w.days):
                break
            # a client about to leave shows it for two months: seats cut, cards declined (involuntary churn)
            leaving = client.churn_day is not None and 0 <= client.churn_day - w.day_of(period_start) <= 60
            if period_start >= w.ts(0):
                if month and r.random() < (0.35 if leaving else 0.06):  # seat changes: expansion or contraction
                    old = quantity
                    quantity = max(1, quantity + r.choice((-1, -1, -1, 1) if leaving else (-1, 1, 1, 2)))
                    if quantity != old:
                        sub["items"]["data"][0] = {**sub["items"]["data"][0], "quantity": quantity}
                        self._event(period_start - 3600, "customer.subscription.updated", dict(sub),
                                    {"items": {"data": [{"quantity": old}]}})
                self._invoice(customer, sub_id, period_start, client.monthly_fee * quantity, leaving)
            month += 1
        if client.churn_day is not None and client.churn_day < w.days:
            canceled = w.ts(client.churn_day, 15 * 3600)
            sub = {**sub, "status": "canceled", "canceled_at": canceled, "ended_at": canceled}
            self._event(canceled, "customer.subscription.deleted", sub, {"status": "active"})

    # -- one-off invoices: placement fees and consulting projects ---------------------------------------------------------
    def fees(self, hires: list[Hire]) -> None:
        """Placement fees of the hires and consulting projects of huntRED Solutions' clients.

        Drawn from their own random stream after the subscriptions, so subscriptions are exactly as before."""
        w = self.w
        self.rng = rng_for(w.seed, "placements")
        clients = {c.id: c for c in w.clients}
        for hire in sorted(hires, key=lambda h: (h.hired_ts, h.application_id)):
            client = clients.get(hire.vacancy.client_id or "")
            if client is not None and client.id in self.customers:
                self._placement(hire, self.customers[client.id])
        for client in w.clients:
            if client.business_unit.value == "huntred_solutions" and client.id in self.customers:
                self._consulting(client, self.customers[client.id])

    def _placement(self, hire: Hire, customer: dict) -> None:
        r, v = self.rng, hire.vacancy
        start = hire.hired_ts + r.randint(*cal.START_AFTER_HIRE_DAYS) * DAY
        monthly_salary = round(r.uniform(v.salary_min, v.salary_max), -2)
        share = cal.PLACEMENT_FEE_SHARE[hire.business_unit]
        fee_mxn = 12 * monthly_salary * share
        metadata = {"kind": "placement_fee", "application_id": hire.application_id, "vacancy_id": v.id,
                    "client_id": v.client_id, "business_unit": hire.business_unit.value,
                    "start_date": self.w.date_of(self.w.day_of(start)).isoformat(),
                    "annual_salary_mxn": str(int(12 * monthly_salary)), "fee_share": f"{share:.2f}",
                    "guarantee_days": str(cal.GUARANTEE_DAYS)}
        invoice, charge, paid_ts = self._send_invoice(customer, start, self._minor(fee_mxn, customer), metadata,
                                                      f"Placement fee {hire.application_id} ({v.id})")
        if r.random() >= cal.GUARANTEE_BREAK_RATE:
            return
        left_after = r.randint(5, cal.GUARANTEE_DAYS)
        left_ts = start + left_after * DAY
        if r.random() < cal.GUARANTEE_REFUND_SHARE and charge is not None:
            refund_share = 1.0 if left_after <= 30 else 0.5 if left_after <= 60 else 0.25  # the sliding scale
            self._refund(charge, max(left_ts, paid_ts + DAY), int(charge["amount"] * refund_share),
                         {"reason": "placement_guarantee", "application_id": hire.application_id})
        else:  # replaced by another candidate at no charge: the invoice's metadata records it
            latest = self.objects["invoice"].get(invoice["id"], invoice)
            self._event(left_ts, "invoice.updated", {**latest, "metadata": {**metadata, "guarantee": "replaced"}},
                        {"metadata": {"guarantee": None}})

    def _consulting(self, client, customer: dict) -> None:
        r, w = self.rng, self.w
        first, last = max(client.start_day, 0), min(client.churn_day if client.churn_day is not None else w.days, w.days)
        years = max(0, last - first) / 365
        # about CONSULTING_PROJECTS_PER_YEAR a year of custom: a binomial draw over 8 chances keeps it bounded
        projects = sum(r.random() < cal.CONSULTING_PROJECTS_PER_YEAR * years / 8 for _ in range(8))
        for _ in range(projects):
            day = r.randrange(first, max(first + 1, last))
            project = r.choice(("Diagnóstico de talento", "Estudio de compensaciones", "Evaluación de clima laboral",
                                "Diseño organizacional"))
            metadata = {"kind": "consulting_fee", "client_id": client.id, "business_unit": client.business_unit.value,
                        "project": project}
            self._send_invoice(customer, w.ts(day, 12 * 3600), self._minor(r.choice(cal.CONSULTING_PROJECT_MXN), customer),
                               metadata, project)

    @staticmethod
    def _minor(amount_mxn: float, customer: dict) -> int:
        """An MXN amount in the customer's currency, minor units, rounded to whole units."""
        rate = cal.USD_MXN if customer["currency"] == "usd" else 1
        return int(round(amount_mxn / rate)) * 100

    def _send_invoice(self, customer: dict, ts: int, amount: int, metadata: dict,
                      description: str) -> tuple[dict, dict | None, int]:
        """A one-off invoice sent to the customer, payable in 30 days by bank transfer: (invoice, paying charge, paid at)."""
        r = self.rng
        inv_id = self._id("in")
        inv = {"id": inv_id, "object": "invoice", "created": ts, "customer": customer["id"],
               "currency": customer["currency"], "amount_due": amount, "amount_paid": 0, "amount_remaining": amount,
               "billing_reason": "manual", "collection_method": "send_invoice", "status": "open", "subscription": None,
               "livemode": False, "attempt_count": 0, "description": description,
               "number": f"{customer['invoice_prefix']}-{r.randrange(1, 9999):04d}",
               "due_date": ts + cal.PAYMENT_TERMS_DAYS * DAY, "period_start": ts, "period_end": ts, "metadata": metadata}
        self._event(ts, "invoice.created", {**inv, "status": "draft"})
        self._event(ts + 600, "invoice.finalized", dict(inv))
        self._event(ts + 660, "invoice.sent", dict(inv))
        if r.random() < cal.PLACEMENT_UNPAID_RATE:
            self._event(inv["due_date"] + 90 * DAY, "invoice.marked_uncollectible", {**inv, "status": "uncollectible"})
            return inv, None, 0
        paid_ts = ts + int(min(120.0, max(2.0, r.lognormvariate(3.1, 0.45))) * DAY) + r.randrange(9 * 3600, 18 * 3600)
        charge = {"id": self._id("ch"), "object": "charge", "amount": amount, "amount_captured": amount,
                  "amount_refunded": 0, "created": paid_ts, "currency": customer["currency"], "customer": customer["id"],
                  "invoice": inv_id, "captured": True, "paid": True, "refunded": False, "status": "succeeded",
                  "failure_code": None, "failure_message": None, "livemode": False,
                  "payment_method_details": {"type": "customer_balance"}, "metadata": {},
                  "balance_transaction": self._id("txn")}
        self._event(paid_ts, "charge.succeeded", charge)
        self._event(paid_ts + 2, "invoice.paid", {**inv, "status": "paid", "amount_paid": amount, "amount_remaining": 0,
                                                  "charge": charge["id"]})
        return inv, charge, paid_ts

    def _invoice(self, customer: dict, sub_id: str, ts: int, amount: int, leaving: bool = False) -> None:
        r = self.rng
        inv = {"id": self._id("in"), "object": "invoice", "created": ts, "customer": customer["id"],
               "currency": customer["currency"], "amount_due": amount, "amount_paid": 0, "amount_remaining": amount,
               "billing_reason": "subscription_cycle", "collection_method": "charge_automatically",
               "status": "open", "subscription": sub_id, "livemode": False, "attempt_count": 1,
               "number": f"{customer['invoice_prefix']}-{r.randrange(1, 9999):04d}",
               "period_start": ts, "period_end": ts + 30 * DAY, "metadata": {}}
        self._event(ts, "invoice.created", {**inv, "status": "draft"})
        self._event(ts + 3600, "invoice.finalized", dict(inv))
        attempt_ts = ts + 3600 + r.randrange(60, 900)
        for attempt in range(3):
            ok = r.random() < (0.93 if attempt == 0 else 0.7) * (0.7 if leaving else 1.0)
            charge = {"id": self._id("ch"), "object": "charge", "amount": amount, "amount_captured": amount if ok else 0,
                      "amount_refunded": 0, "created": attempt_ts, "currency": customer["currency"],
                      "customer": customer["id"], "invoice": inv["id"], "captured": ok, "paid": ok, "refunded": False,
                      "status": "succeeded" if ok else "failed", "failure_code": None if ok else r.choice(("card_declined", "insufficient_funds", "expired_card")),
                      "failure_message": None if ok else "Your card was declined.", "livemode": False,
                      "payment_method_details": {"type": "card", "card": {"brand": r.choice(("visa", "mastercard", "amex")), "country": "MX"}},
                      "metadata": {}, "balance_transaction": self._id("txn") if ok else None}
            if ok:
                self._event(attempt_ts, "charge.succeeded", charge)
                paid = {**inv, "status": "paid", "amount_paid": amount, "amount_remaining": 0, "charge": charge["id"]}
                self._event(attempt_ts + 2, "invoice.paid", paid)
                if r.random() < (0.12 if leaving else 0.03):
                    self._refund(charge, attempt_ts + r.randrange(DAY, 20 * DAY),
                                 charge["amount"] if r.random() < 0.5 else charge["amount"] // 2)
                return
            self._event(attempt_ts, "charge.failed", charge)
            self._event(attempt_ts + 2, "invoice.payment_failed", {**inv, "attempt_count": attempt + 1})
            attempt_ts += 3 * DAY
        self._event(attempt_ts, "invoice.marked_uncollectible", {**inv, "status": "uncollectible"})

    def _refund(self, charge: dict, ts: int, amount: int, metadata: dict | None = None) -> None:
        r = self.rng
        refund = {"id": self._id("re"), "object": "refund", "amount": amount, "charge": charge["id"], "created": ts,
                  "currency": charge["currency"],
                  "reason": "requested_by_customer" if metadata else r.choice(("requested_by_customer", "duplicate", None)),
                  "status": "succeeded", "metadata": metadata or {}, "payment_intent": None, "balance_transaction": self._id("txn")}
        self._event(ts, "refund.created", refund)
        self._event(ts + 1, "charge.refunded", {**charge, "amount_refunded": amount, "refunded": amount == charge["amount"]})

    def _inject_bad_deliveries(self) -> None:
        r = self.rng
        days = sorted(self.deliveries)
        # pick from the genuine deliveries only: an injected torn line is not JSON to tamper with
        genuine = {day: list(self.deliveries[day]) for day in days}
        n = max(5, self.n_events // 300)
        for i in range(n):
            day = r.choice(days)
            arrival, raw = r.choice(genuine[day])
            delivery = orjson.loads(raw)
            kind = ("tampered", "wrong_secret", "replayed", "redelivered", "malformed")[i % 5]
            if kind == "tampered":  # body changed after signing: must not be trusted
                delivery["body"] = delivery["body"].replace('"livemode":false', '"livemode":true', 1)
                reason = "bad_signature"
            elif kind == "wrong_secret":
                delivery["stripe_signature"] = sign(delivery["body"], "whsec_" + "x" * 32, delivery["received_at"])
                reason = "bad_signature"
            elif kind == "replayed":  # a captured request sent again hours later
                delivery["received_at"] += 3 * 3600
                reason = "bad_signature"
            elif kind == "redelivered":  # Stripe retries: same event id, new signature
                delivery["received_at"] += 3600
                delivery["stripe_signature"] = sign(delivery["body"], self.secret, delivery["received_at"])
                reason = "duplicate"
            else:
                delivery = {"received_at": arrival, "stripe_signature": "t=1,v1=00", "body": "{\"id\": \"evt_"}
                line = orjson.dumps(delivery)[:-5]  # a torn write
                self.deliveries[min(day + 1, max(days))].append((arrival + 3600, line))
                self.m.expect_quarantine("stripe_events", "malformed")
                continue
            later = min(self.w.day_of(delivery["received_at"]), max(days))
            self.deliveries[max(later, day + (1 if kind == "redelivered" else 0))].append(
                (delivery["received_at"], orjson.dumps(delivery)))
            self.m.expect_quarantine("stripe_events", reason)

    def finish(self) -> None:
        self._inject_bad_deliveries()
        hooks = self.root / "webhooks"
        hooks.mkdir(parents=True, exist_ok=True)
        for day, lines in sorted(self.deliveries.items()):
            lines.sort(key=lambda x: x[0])
            (hooks / f"{self.w.date_of(day).isoformat()}.jsonl").write_bytes(b"\n".join(l for _, l in lines) + b"\n")
            self.m.files["stripe"] += 1
        export_day = self.w.date_of(self.w.days - 1).isoformat()
        for resource, objs in sorted(self.objects.items()):
            folder = self.root / "api" / export_day / f"{resource}s"
            folder.mkdir(parents=True, exist_ok=True)
            ordered = sorted(objs.values(), key=lambda o: (-o["created"], o["id"]))  # Stripe lists newest first
            for page, i in enumerate(range(0, len(ordered), PAGE_SIZE), start=1):
                chunk = ordered[i:i + PAGE_SIZE]
                body = {"object": "list", "url": f"/v1/{resource}s", "has_more": i + PAGE_SIZE < len(ordered), "data": chunk}
                (folder / f"page_{page:04d}.json").write_bytes(orjson.dumps(body, option=orjson.OPT_INDENT_2))
                self.m.files["stripe"] += 1
            self.m.expect_raw("stripe_objects", len(ordered))


def write_stripe(world: World, out: Path, manifest: Manifest, secret: str, hires: list[Hire]) -> None:
    writer = StripeWriter(world, out, manifest, secret)
    writer.run()
    writer.fees(hires)
    writer.finish()
