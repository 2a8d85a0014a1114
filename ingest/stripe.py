"""Stripe: signed webhook deliveries (verified with the stripe SDK) and every JSON shape Stripe's API, CLI and
dashboard give (one object, an array, a list page, events, JSON Lines)."""
from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime, timezone
from typing import Iterator

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


EVENT_COLUMNS = ("event_id", "event_type", "created_at", "object_id", "object_type", "received_at", "event_json",
                 "_record_number", "_content_hash")
OBJECT_COLUMNS = ("object_id", "object_type", "created_at", "observed_at", "object_json", "_record_number",
                  "_content_hash")


def _frame(rows: dict[str, list]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema={k: (pl.Int64 if k == "_record_number" else pl.String) for k in rows})



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
    rows: dict[str, list] = {k: [] for k in EVENT_COLUMNS}
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
        _take_event(parsed, rows, event, delivery.body, delivery.received_at, line, number)
    parsed.good[EVENTS] = _frame(rows)
    return parsed


#: What a Stripe JSON file may hold, said in every refusal: the shapes Stripe's API, CLI and dashboard give.
ACCEPTED_SHAPES = ("one Stripe object ({\"object\": \"customer\", \"id\": ...}), a JSON array of them, an API list page "
                   "({\"object\": \"list\", \"data\": [...]}), an event ({\"object\": \"event\", ...}), or such "
                   "documents one after another (JSON Lines, `stripe listen --print-json`)")


def json_documents(data: bytes) -> Iterator[tuple[int, object | None, str]]:
    """Each JSON document of a file, in order: (number, value, text). One file may hold one document (pretty-printed
    or not) or many after one another (JSON Lines, or the indented objects the Stripe CLI prints). A document that
    does not parse ends the file: the rest is returned as one unreadable document (value None)."""
    text = data.decode("utf-8", "replace")
    decoder, at, number = json.JSONDecoder(), 0, 0
    while True:
        while at < len(text) and text[at] in " \t\r\n\ufeff":
            at += 1
        if at >= len(text):
            return
        number += 1
        try:
            value, end = decoder.raw_decode(text, at)
        except json.JSONDecodeError as exc:
            yield number, None, f"{text[at:at + 100_000]}\x00{exc.msg} at line {exc.lineno} column {exc.colno}"
            return
        yield number, value, text[at:end]
        at = end


def _objects_of(document: object) -> list | None:
    """The Stripe objects a document holds, or None when it is no shape Stripe gives."""
    if isinstance(document, list):
        return document
    if isinstance(document, dict) and document.get("object") == "list":
        return document["data"] if isinstance(document.get("data"), list) else None
    if isinstance(document, dict) and isinstance(document.get("object"), str):
        return [document]
    return None


def _object_id(obj: dict, raw: bytes) -> str:
    """Stripe's id, or, for a resource that has none (``balance``, ``cash_balance``: one per account or customer),
    its type and a hash of its content, so the same snapshot delivered twice is still one row."""
    if isinstance(obj.get("id"), str) and obj["id"]:
        return obj["id"]
    owner = obj.get("customer") if isinstance(obj.get("customer"), str) else None
    return f"{obj['object']}:{owner + ':' if owner else ''}{hashlib.sha256(raw).hexdigest()[:16]}"


def observed_time(relative_path: str, ingested_at: datetime) -> datetime:
    """When an export's objects were as the file shows them: the end of the day its path names (Mexico City time),
    else when it was ingested."""
    match = _EXPORT_DATE.search(relative_path)
    return datetime.fromisoformat(f"{match.group(1)}T23:59:59-06:00") if match else ingested_at


def parse_stripe_json(data: bytes, relative_path: str, ingested_at: datetime) -> ParsedFile:
    """A file of Stripe objects as the API, the CLI or the dashboard give them (``ACCEPTED_SHAPES``).

    Events go to ``stripe_events`` (as a webhook would have brought them, without its signature: ``received_at`` is
    empty), every other object to ``stripe_objects`` whole, whatever its type; the types the marts read must also meet
    their contract (``models/stripe.py``). Deleted objects (``{"deleted": true}``) are kept too: staging reads the
    last version before the deletion.
    """
    parsed = ParsedFile()
    observed = observed_time(relative_path, ingested_at).isoformat()
    objects: dict[str, list] = {k: [] for k in OBJECT_COLUMNS}
    events: dict[str, list] = {k: [] for k in EVENT_COLUMNS}
    number = 0
    for _, document, text in json_documents(data):
        items = None if document is None else _objects_of(document)
        if items is None:
            number += 1
            parsed.records_read += 1
            why = text.split("\x00", 1)[1] if document is None else f"a JSON {type(document).__name__} without 'object'"
            parsed.reject(OBJECTS, R.MALFORMED, f"Not a Stripe document ({why}): expected {ACCEPTED_SHAPES}.",
                          text.split("\x00", 1)[0], number)
            continue
        for obj in items:
            number += 1
            parsed.records_read += 1
            raw = orjson.dumps(obj)
            if not isinstance(obj, dict) or not isinstance(obj.get("object"), str) or not obj["object"]:
                parsed.reject(OBJECTS, R.MISSING_FIELD, "A Stripe object needs its type in 'object' (e.g. \"charge\").",
                              raw, number)
                continue
            if obj["object"] == "event":
                _read_event(parsed, events, obj, raw, number)
                continue
            created = obj.get("created")
            if created is not None and (not isinstance(created, int) or isinstance(created, bool)):
                parsed.reject(OBJECTS, R.INVALID_VALUE, f"{obj['object']} {obj.get('id', '?')}: 'created' must be Unix "
                                                        f"seconds (an integer), not {created!r}.", raw, number)
                continue
            problem = implausible_unix(created) if created is not None else None
            if problem:
                parsed.reject(OBJECTS, R.INVALID_VALUE, f"{obj['object']} {obj.get('id', '?')}: created {problem}.", raw, number)
                continue
            bad = None if obj.get("deleted") is True else _check_object(obj)
            if bad:
                parsed.reject(OBJECTS, bad[0], bad[1], raw, number)
                continue
            objects["object_id"].append(_object_id(obj, raw))
            objects["object_type"].append(obj["object"])
            objects["created_at"].append(_iso(created) if created is not None else None)
            objects["observed_at"].append(observed)
            objects["object_json"].append(raw.decode())
            objects["_record_number"].append(number)
            objects["_content_hash"].append(hashlib.sha256(raw).hexdigest())
    parsed.good[OBJECTS] = _frame(objects)
    parsed.good[EVENTS] = _frame(events)
    return parsed


def _read_event(parsed: ParsedFile, rows: dict[str, list], obj: dict, raw: bytes, number: int) -> None:
    """An event read from the API or the CLI: the same checks as a verified webhook's body, without the signature."""
    try:
        event = StripeEvent.model_validate(obj)
    except ValidationError as exc:
        code, reason = explain(exc)
        parsed.reject(EVENTS, code, f"Event {obj.get('id', '?')} is not a usable Stripe event: {reason}", raw, number)
        return
    _take_event(parsed, rows, event, raw.decode(), None, raw, number)


def _take_event(parsed: ParsedFile, rows: dict[str, list], event: StripeEvent, body: str, received_at: int | None,
                record: str | bytes, number: int) -> None:
    """An authentic event (a verified delivery's body, or one read from the API) into its row, if the object it
    carries meets its contract (a deleted object's stub carries nothing to check)."""
    carried = event.data.get("object") if isinstance(event.data.get("object"), dict) else {}
    bad = None if carried.get("deleted") is True else _check_object(carried)
    if bad:
        parsed.reject(EVENTS, bad[0], f"Event {event.id} carries an unusable object: {bad[1]}", record, number)
        return
    for column, value in zip(EVENT_COLUMNS, (
            event.id, event.type, _iso(event.created), carried.get("id"), carried.get("object"),
            _iso(received_at) if received_at is not None else None, body, number,
            hashlib.sha256(body.encode()).hexdigest())):
        rows[column].append(value)


def looks_like_webhook_deliveries(data: bytes) -> bool:
    """Whether a JSON Lines file holds requests as our webhook endpoint recorded them (with their signature), rather
    than Stripe objects or events."""
    first = next((line for line in data.split(b"\n") if line.strip()), b"")
    try:
        value = orjson.loads(first)
    except orjson.JSONDecodeError:
        return False
    return isinstance(value, dict) and "stripe_signature" in value and "body" in value
