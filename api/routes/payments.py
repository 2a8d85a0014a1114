"""Stripe payments: transactions and invoices (read), and the webhook Stripe calls (write)."""
from __future__ import annotations

import re
import time
from datetime import datetime, timezone

import orjson
from fastapi import APIRouter, Depends, Header, Query, Request
from starlette.concurrency import run_in_threadpool

from api.common import READ, PageParams, Period, filters, page_of, problems, snapshot
from api.security import ApiProblem, Caller, caller
from huntred import analytics as an
from huntred.ingest.stripe import verify_delivery
from huntred.landing import fault_point, land
from huntred.serving import Snapshot
from huntred.settings import get_settings
from models.enums import BusinessUnit
from models.serving import Invoice, Page, Transaction, WebhookReceipt

router = APIRouter(prefix="/api/payments", tags=["payments"])
_EVENT_ID = re.compile(r"^evt_[A-Za-z0-9_]{1,100}$")
MAX_WEBHOOK_BYTES = 512 * 1024  # Stripe events are a few KB


@router.get("/transactions/", response_model=Page[Transaction], responses=READ,
            summary="Stripe charges in the key's scope, newest first, in their currency and in MXN")
def transactions(request: Request, business_unit: BusinessUnit | None = None,
                 status: str | None = Query(None, pattern="^(succeeded|failed|pending)$"),
                 period: Period = Depends(), page: PageParams = Depends(),
                 who: Caller = Depends(caller("payments:read")), snap: Snapshot = Depends(snapshot)) -> Page[Transaction]:
    rows, total = an.transactions(snap, who.scope, filters(period, business_unit), status=status, reveal_pii=who.sees_pii,
                                  pii_key=who.pii_key(), limit=page.limit, offset=page.offset)
    return page_of(Transaction, request, rows, total, page)


@router.get("/invoices/", response_model=Page[Invoice], responses=READ,
            summary="Stripe invoices in the key's scope, newest first")
def invoices(request: Request, business_unit: BusinessUnit | None = None,
             status: str | None = Query(None, pattern="^(draft|open|paid|uncollectible|void)$"),
             period: Period = Depends(), page: PageParams = Depends(),
             who: Caller = Depends(caller("payments:read")), snap: Snapshot = Depends(snapshot)) -> Page[Invoice]:
    rows, total = an.invoices(snap, who.scope, filters(period, business_unit), status=status, reveal_pii=who.sees_pii,
                              pii_key=who.pii_key(), limit=page.limit, offset=page.offset)
    return page_of(Invoice, request, rows, total, page)


def webhook_path(event_id: str, created: int) -> str:
    """One file per event, named by its id under the day Stripe created it: a redelivery finds it already there."""
    day = datetime.fromtimestamp(created, timezone.utc).date().isoformat()
    return f"stripe/webhooks/http/{day}/{event_id}.jsonl"


_WEBHOOK_BODY = {"requestBody": {"required": True, "description": "The Stripe event exactly as Stripe sent it (the signature "
                                  "covers these bytes).", "content": {"application/json": {
    "schema": {"type": "object", "required": ["id", "type", "created", "data"]},
    "example": {"id": "evt_1Nv0", "object": "event", "type": "invoice.paid", "created": 1764115200,
                "data": {"object": {"id": "in_1Nv0", "object": "invoice", "customer": "cus_pwEbx3xXaiPPgx",
                                    "status": "paid", "amount_paid": 1250000, "currency": "mxn"}}}}}}}


@router.post("/stripe/webhook", response_model=WebhookReceipt, responses=problems(400, 413, 422, 503),
             openapi_extra=_WEBHOOK_BODY,
             summary="Stripe's webhook: signature checked with the Stripe SDK, landed durably before 200, redeliveries ignored")
async def stripe_webhook(request: Request, stripe_signature: str = Header(..., alias="Stripe-Signature", max_length=2000)) \
        -> WebhookReceipt:
    secret = get_settings().require_webhook_secret()
    body = await request.body()
    if len(body) > MAX_WEBHOOK_BYTES:
        raise ApiProblem(413, "Payload too large", f"A Stripe event is at most {MAX_WEBHOOK_BYTES // 1024} KB.")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiProblem(400, "Unreadable body", "The body is not UTF-8 text, so it cannot be a Stripe event.") from None
    received_at = int(time.time())
    problem = verify_delivery(text, stripe_signature, secret, received_at)
    if problem:
        raise ApiProblem(400, "Invalid Stripe signature", problem)
    event = orjson.loads(text)
    event_id, created = event.get("id"), event.get("created")
    if not isinstance(event_id, str) or not _EVENT_ID.match(event_id) or not isinstance(created, int):
        raise ApiProblem(400, "Not a Stripe event", "The signed body has no usable event id (evt_...) or created time.")
    delivery = orjson.dumps({"received_at": received_at, "stripe_signature": stripe_signature, "body": text}) + b"\n"
    # fsync blocks: off the event loop, and the 200 goes out only once the bytes are on disk
    new = await run_in_threadpool(land, get_settings().landing_dir / webhook_path(event_id, created), delivery, exclusive=True)
    fault_point("webhook:after_land")
    request.state.rows = int(new)
    return WebhookReceipt(received=True, event_id=event_id, duplicate=not new)
