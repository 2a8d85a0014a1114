"""Stripe: signed webhook deliveries (verified with the stripe SDK) and API list exports."""
from __future__ import annotations

import hashlib
import re
from datetime import datetime, timezone

import orjson
import polars as pl
import stripe
from pydantic import ValidationError

from ingest.errors import explain
from ingest.types import ParsedFile
from models.enums import QuarantineReason as R
from models.plausible import implausible_unix
from models.stripe import STRIPE_OBJECT_MODELS, WEBHOOK_TOLERANCE_SECONDS, StripeEvent, WebhookDelivery

stripe.enable_telemetry = False
EVENTS, OBJECTS = "stripe_events", "stripe_objects"
_EXPORT_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})")


def _iso(ts: int) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).isoformat()



def verify_delivery(body: str, signature: str, secret: str, received_at: int) -> str | None:
    """None when the delivery is authentic, else why not.

    The SDK checks the HMAC and parses the header. Its freshness check compares
    with *now* (wrong for files verified again at ingestion) and only one way (a
    signature stamped in the future passes), so the timestamp the SDK parsed, the
    one its HMAC covered, is checked both ways against the recorded arrival time.
    Reading the header any other way could check a different ``t=`` than the one
    signed (``x=t=<now>,t=<old>,v1=...`` made a captured old signature look fresh).
    """
    sdk = stripe.WebhookSignature
    try:
        sdk.verify_header(body, signature, secret, tolerance=None)
    except stripe.SignatureVerificationError as exc:
        return f"The Stripe-Signature header does not match the body ({exc.user_message or exc}); the event is not trusted."
    signed_at, _ = sdk._get_timestamp_and_signatures(signature, sdk.EXPECTED_SCHEME)  # what verify_header just used
    if abs(received_at - signed_at) > WEBHOOK_TOLERANCE_SECONDS:
        return (f"The signature was made {abs(received_at - signed_at)} s away from the request's arrival "
                f"(more than {WEBHOOK_TOLERANCE_SECONDS} s): a replayed request is not trusted.")
    return None


def created_problem(created: int, received_at: int) -> str | None:
    """None when an event's created time is plausible for when it arrived (``models.plausible``), else why not.

    Judged against the arrival time, not now, so a delivery verified again at ingestion gets the same answer;
    one far enough off is not even a date (the landing path and ingestion would fail on it).
    """
    problem = implausible_unix(created, received_at)
    return f"The event's created {problem}." if problem else None


def _check_object(obj: dict) -> tuple[R, str] | None:
    model = STRIPE_OBJECT_MODELS.get(obj.get("object"))
    if model is None:
        return None  # other Stripe resources are kept as delivered
    try:
        model.model_validate(obj)
    except ValidationError as exc:
        code, reason = explain(exc)
        return code, f"{obj.get('object')} {obj.get('id', '?')}: {reason}"
    return None


def parse_webhook_file(data: bytes, secret: str) -> ParsedFile:
    parsed = ParsedFile()
    rows: dict[str, list] = {k: [] for k in ("event_id", "event_type", "created_at", "object_id", "object_type",
                                             "received_at", "event_json", "_record_number", "_content_hash")}
    for number, line in enumerate(data.split(b"\n"), start=1):
        if not line.strip():
            continue
        parsed.records_read += 1
        try:
            delivery = WebhookDelivery.model_validate_json(line)
        except ValidationError as exc:
            code, reason = explain(exc)
            parsed.reject(EVENTS, R.MALFORMED if code == R.MALFORMED else code, f"Webhook delivery unreadable: {reason}", line, number)
            continue
        problem = verify_delivery(delivery.body, delivery.stripe_signature, secret, delivery.received_at)
        if problem:
            parsed.reject(EVENTS, R.BAD_SIGNATURE, problem, line, number)
            continue
        try:
            event = StripeEvent.model_validate_json(delivery.body)
        except ValidationError as exc:
            code, reason = explain(exc)
            parsed.reject(EVENTS, code, f"Signed body is not a usable Stripe event: {reason}", line, number)
            continue
        implausible = created_problem(event.created, delivery.received_at)
        if implausible:
            parsed.reject(EVENTS, R.INVALID_VALUE, f"Event {event.id}: {implausible}", line, number)
            continue
        obj = event.data.get("object") or {}
        bad = _check_object(obj)
        if bad:
            parsed.reject(EVENTS, bad[0], f"Event {event.id} carries an unusable object: {bad[1]}", line, number)
            continue
        rows["event_id"].append(event.id)
        rows["event_type"].append(event.type)
        rows["created_at"].append(_iso(event.created))
        rows["object_id"].append(obj.get("id"))
        rows["object_type"].append(obj.get("object"))
        rows["received_at"].append(_iso(delivery.received_at))
        rows["event_json"].append(delivery.body)
        rows["_record_number"].append(number)
        rows["_content_hash"].append(hashlib.sha256(delivery.body.encode()).hexdigest())
    parsed.good[EVENTS] = pl.DataFrame(rows, schema={k: (pl.Int64 if k == "_record_number" else pl.String) for k in rows})
    return parsed


def parse_api_page(data: bytes, relative_path: str, ingested_at: datetime) -> ParsedFile:
    """One page of a ``GET /v1/<resource>`` list response."""
    parsed = ParsedFile()
    try:
        page = orjson.loads(data)
        if not isinstance(page, dict) or page.get("object") != "list" or not isinstance(page.get("data"), list):
            raise ValueError("expected a Stripe list object with a 'data' array")
    except (orjson.JSONDecodeError, ValueError) as exc:
        parsed.records_read = 1
        parsed.reject(OBJECTS, R.MALFORMED, f"The file is not a Stripe API list page ({exc}).", data[:100_000], 1)
        return parsed
    match = _EXPORT_DATE.search(relative_path)
    # An export made on day D shows objects as they were at the end of D (Mexico City time).
    observed = (datetime.fromisoformat(f"{match.group(1)}T23:59:59-06:00") if match else ingested_at).isoformat()
    rows: dict[str, list] = {k: [] for k in ("object_id", "object_type", "created_at", "observed_at", "object_json",
                                             "_record_number", "_content_hash")}
    for number, obj in enumerate(page["data"], start=1):
        parsed.records_read += 1
        raw = orjson.dumps(obj)
        if not isinstance(obj, dict) or not obj.get("id") or not obj.get("object") or not isinstance(obj.get("created"), int):
            parsed.reject(OBJECTS, R.MISSING_FIELD, "A Stripe object needs 'id', 'object' and 'created'.", raw, number)
            continue
        problem = implausible_unix(obj["created"])
        if problem:
            parsed.reject(OBJECTS, R.INVALID_VALUE, f"{obj['object']} {obj['id']}: created {problem}.", raw, number)
            continue
        bad = _check_object(obj)
        if bad:
            parsed.reject(OBJECTS, bad[0], bad[1], raw, number)
            continue
        rows["object_id"].append(obj["id"])
        rows["object_type"].append(obj["object"])
        rows["created_at"].append(_iso(obj["created"]))
        rows["observed_at"].append(observed)
        rows["object_json"].append(raw.decode())
        rows["_record_number"].append(number)
        rows["_content_hash"].append(hashlib.sha256(raw).hexdigest())
    parsed.good[OBJECTS] = pl.DataFrame(rows, schema={k: (pl.Int64 if k == "_record_number" else pl.String) for k in rows})
    return parsed
