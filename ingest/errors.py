"""Turn validation errors into a reason code and one sentence a person understands."""
from __future__ import annotations

from pydantic import ValidationError

from models.ats import EVENT_TYPES
from models.enums import QuarantineReason as R

_MALFORMED = {"json_invalid", "json_type", "model_type", "model_attributes_type", "dict_type"}
_MISSING = {"missing", "missing_id", "union_tag_not_found"}
_UNKNOWN = {"enum", "literal_error", "union_tag_invalid"}


def _where(loc: tuple) -> str:
    # A discriminated union puts the event type first in the location: drop it.
    parts = list(loc[1:] if loc and loc[0] in EVENT_TYPES else loc)
    return ".".join(str(p) for p in parts)


def _sentence(err: dict) -> str:
    where, kind, value = _where(err["loc"]), err["type"], err.get("input")
    if kind == "json_invalid":
        return f"The record is not valid JSON ({err['ctx']['error']})."
    if kind in ("missing", "union_tag_not_found"):
        field = where or err.get("ctx", {}).get("discriminator", "a field").strip("'")
        return f"Required field '{field}' is missing."
    if kind == "missing_id":
        return err["msg"][0].upper() + err["msg"][1:] + "."
    if kind == "union_tag_invalid":
        return f"event_type '{err['ctx']['tag']}' is not a known event type."
    if kind in ("enum", "literal_error"):
        return f"{where} is '{value}', which is not one of {err['ctx']['expected']}."
    if kind == "implausible_time":
        return f"{where} {err['msg']}."
    if kind == "timezone_aware":
        return f"{where} '{value}' has no time zone; an ISO-8601 timestamp with an offset is required."
    if kind == "string_too_short" and where.endswith("id"):
        return f"{where} is empty."
    shown = repr(value)[:80] if value is not None else "null"
    return f"{where or 'record'} = {shown}: {err['msg']}."


def reason_code(err: dict) -> R:
    kind, where = err["type"], _where(err["loc"])
    if kind in _MALFORMED:
        return R.MALFORMED
    if kind in _MISSING or (kind == "string_too_short" and where.endswith("id")):
        return R.MISSING_FIELD
    if kind in _UNKNOWN:
        return R.UNKNOWN_VALUE
    return R.INVALID_VALUE


def explain(exc: ValidationError) -> tuple[R, str]:
    """The reason of the first error, and up to three errors in words."""
    errors = exc.errors(include_url=False)
    code = reason_code(errors[0])
    words = " ".join(_sentence(e) for e in errors[:3])
    if len(errors) > 3:
        words += f" (and {len(errors) - 3} more problems)"
    return code, words
