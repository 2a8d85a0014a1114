"""Stripe payments: transactions and invoices (read), and the webhook Stripe calls (write)."""
from __future__ import annotations

import re
import time
from datetime import datetime, timezone

import orjson
from fastapi import APIRouter, Depends, Query, Request
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from api.common import READ, ApiRoute, PageParams, Period, filters, page_of, problems, snapshot
from api.security import ApiProblem, Caller, caller
from foundation.landing import fault_point, land
from foundation.settings import get_settings
from ingest.errors import explain
from ingest.stripe import created_problem, verify_delivery
from models.enums import BusinessUnit
from models.serving import Invoice, Page, Transaction, WebhookReceipt
from models.stripe import StripeEvent
from serving import analytics as an
from serving.snapshot import Snapshot

router = APIRouter(prefix="/api/payments", tags=["payments"], route_class=ApiRoute)
_EVENT_ID = re.compile(r"^evt_[A-Za-z0-9_]{1,100}$")
MAX_WEBHOOK_BYTES = 512 * 1024  # Stripe events are a few KB; api.main's BodyLimit stops reading past this
MAX_SIGNATURE_CHARS = 2000


@router.get("/transactions/", response_model=Page[Transaction], responses=READ,
            summary="Stripe charges in the key's scope, newest first, in their currency and in MXN")
def transactions(request: Request, business_unit: BusinessUnit | None = None,
                 status: str | None = Query(None, pattern="^(succeeded|failed|pending)$"),
                 period: Period = Depends(), page: PageParams = Depends(),
                 who: Caller = Depends(caller("payments:read")), snap: Snapshot = Depends(snapshot)) -> Page[Transaction]:
    rows, total = an.transactions(snap, who.scope, filters(period, who.scope, business_unit), status=status, reveal_pii=who.sees_pii,
                                  pii_key=who.pii_key(), limit=page.limit, offset=page.offset)
    return page_of(Transaction, request, rows, total, page)


@router.get("/invoices/", response_model=Page[Invoice], responses=READ,
            summary="Stripe invoices in the key's scope, newest first")
def invoices(request: Request, business_unit: BusinessUnit | None = None,
             status: str | None = Query(None, pattern="^(draft|open|paid|uncollectible|void)$"),
             period: Period = Depends(), page: PageParams = Depends(),
             who: Caller = Depends(caller("payments:read")), snap: Snapshot = Depends(snapshot)) -> Page[Invoice]:
    rows, total = an.invoices(snap, who.scope, filters(period, who.scope, business_unit), status=status, reveal_pii=who.sees_pii,
                              pii_key=who.pii_key(), limit=page.limit, offset=page.offset)
    return page_of(Invoice, request, rows, total, page)


def webhook_path(event_id: str, created: int) -> str:
    """One file per event, named by its id under the day Stripe created it: a redelivery finds it already there."""
    day = datetime.fromtimestamp(created, timezone.utc).date().isoformat()
    return f"stripe/webhooks/http/{day}/{event_id}.jsonl"


_WEBHOOK_DOC = {"parameters": [{"name": "Stripe-Signature", "in": "header", "required": True, "description": "Stripe's "
                                 "signature of the body; missing or invalid is 400.",
                                 "schema": {"type": "string", "maxLength": MAX_SIGNATURE_CHARS}}],
                 "requestBody": {"required": True, "description": "The Stripe event exactly as Stripe sent it (the signature "
                                  "covers these bytes).", "content": {"application/json": {
    "schema": {"type": "object", "required": ["id", "type", "created", "data"]},
    "example": {"id": "evt_1Nv0", "object": "event", "type": "invoice.paid", "created": 1764115200,
                "data": {"object": {"id": "in_1Nv0", "object": "invoice", "customer": "cus_pwEbx3xXaiPPgx",
                                    "status": "paid", "amount_paid": 1250000, "currency": "mxn"}}}}}}}


def signed_event(text: str, received_at: int) -> StripeEvent:
    """The event of an authentic body, or a 400 saying why the body cannot be one (whatever JSON Stripe's key signed)."""
    try:
        event = StripeEvent.model_validate_json(text)
    except ValidationError as exc:
        raise ApiProblem(400, "Not a Stripe event", f"The signed body is not a usable Stripe event: {explain(exc)[1]}") from None
    if not _EVENT_ID.match(event.id):  # the id names the landed file
        raise ApiProblem(400, "Not a Stripe event", f"The event id {event.id[:60]!r} is not evt_ followed by letters, "
                         "digits or underscores.")
    implausible = created_problem(event.created, received_at)
    if implausible:
        raise ApiProblem(400, "Implausible event time", implausible)
    return event


# The signature header is read by hand (and declared in _WEBHOOK_DOC) so that a missing one is the documented 400, not
# FastAPI's 422 for a missing parameter.
@router.post("/stripe/webhook", response_model=WebhookReceipt, responses=problems(400, 413, 503),
             openapi_extra=_WEBHOOK_DOC,
             summary="Stripe's webhook: signature checked with the Stripe SDK, landed durably before 200, redeliveries ignored")
async def stripe_webhook(request: Request) -> WebhookReceipt:
    signature = request.headers.get("stripe-signature")
    if not signature or len(signature) > MAX_SIGNATURE_CHARS:
        raise ApiProblem(400, "Missing Stripe signature", "Stripe's webhook needs the Stripe-Signature header Stripe sends "
                         f"(at most {MAX_SIGNATURE_CHARS} characters); a request without it is not trusted.")
    secret = get_settings().require_webhook_secret()
    body = await request.body()
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiProblem(400, "Unreadable body", "The body is not UTF-8 text, so it cannot be a Stripe event.") from None
    received_at = int(time.time())
    problem = verify_delivery(text, signature, secret, received_at)
    if problem:
        raise ApiProblem(400, "Invalid Stripe signature", problem)
    event = signed_event(text, received_at)
    delivery = orjson.dumps({"received_at": received_at, "stripe_signature": signature, "body": text}) + b"\n"
    # fsync blocks: off the event loop, and the 200 goes out only once the bytes are on disk
    new = await run_in_threadpool(land, get_settings().landing_dir / webhook_path(event.id, event.created), delivery,
                                  exclusive=True)
    fault_point("webhook:after_land")
    request.state.rows = int(new)
    return WebhookReceipt(received=True, event_id=event.id, duplicate=not new)
