"""The operational API. Reads only the published snapshot (read-only, one cursor per request).

Routes live in ``api/routes/`` (thin: parse, check the caller, call ``huntred``);
this module assembles them and turns every error into application/problem+json
with a sentence a person understands, and records each call in the audit log.
"""
from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from access import audit
from access.redact import install_log_redaction, is_key_parameter
from api.routes import campaigns, engagement, ingestion, ml, operations, payments, reports
from api.security import ApiProblem
from foundation.errors import BadRequest, Busy, Forbidden, NotFound, UserError
from foundation.settings import get_settings
from models.serving import Problem

MAX_BODY_BYTES = 10 * 1024 * 1024
#: paths with a smaller body limit than MAX_BODY_BYTES
BODY_LIMITS = {"/api/payments/stripe/webhook": payments.MAX_WEBHOOK_BYTES}
log = logging.getLogger("huntred.api")
install_log_redaction()  # uvicorn's access log shows paths and query strings, where callers sometimes put keys

app = FastAPI(
    title="huntRED data platform API",
    version="0.2.0",
    description=(
        "Operational endpoints of the huntRED lakehouse. Data comes from the latest published snapshot, so answers stay "
        "consistent while a pipeline run writes the next one.\n\n"
        "**Authentication**: an `X-API-Key` header with a key from `huntred keys create --role ROLE [--bu BU | --client ID]`. "
        "Roles: analyst, bu_manager, data_scientist, client, admin, service. A BU manager's key sees its business unit, a "
        "client's key its own data; emails, phones and names are pseudonymized unless the role is admin. The Stripe "
        "webhook is authenticated by its Stripe-Signature instead.\n\n"
        "**Errors** are `application/problem+json` (RFC 9457) whose `detail` says what went wrong and what to do. "
        "Metric definitions: docs/metrics.md."),
    responses={503: {"model": Problem, "description": "No snapshot has been published yet."}},
)
for module in (operations, campaigns, engagement, ml, payments, ingestion, reports):
    app.include_router(module.router)


def openapi_document() -> dict:
    """FastAPI's document, with every error response declared as the problem+json it is (RFC 9457)."""
    if app.openapi_schema:
        return app.openapi_schema

    doc = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    problem_ref = {"$ref": "#/components/schemas/Problem"}
    for path_item in doc["paths"].values():
        for op in path_item.values():
            for status, response in op.get("responses", {}).items():
                if status.isdigit() and int(status) >= 400:
                    response["content"] = {"application/problem+json": {"schema": problem_ref}}
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    app.openapi_schema = doc
    return doc


app.openapi = openapi_document


def problem(status: int, title: str, detail: str, headers: dict | None = None, **extra) -> JSONResponse:
    body = Problem(title=title, status=status, detail=detail).model_dump() | extra
    return JSONResponse(body, status_code=status, media_type="application/problem+json", headers=headers)


_STATUS = ((NotFound, 404), (Forbidden, 403), (BadRequest, 422), (Busy, 409))


@app.exception_handler(UserError)
async def user_error(_: Request, exc: UserError) -> JSONResponse:
    status = next((s for cls, s in _STATUS if isinstance(exc, cls)), 503)
    return problem(status, exc.problem, f"{exc.problem} {exc.fix}", {"Retry-After": "30"} if status in (409, 503) else None)


@app.exception_handler(ApiProblem)
async def api_problem(_: Request, exc: ApiProblem) -> JSONResponse:
    return problem(exc.status, exc.title, exc.detail, exc.headers, **exc.extra)


def _where(loc: tuple) -> str:
    kind = {"query": "Query parameter", "path": "Path parameter", "header": "Header", "body": "Body"}.get(str(loc[0]), str(loc[0]))
    rest = ".".join(str(p) for p in loc[1:])
    return f"{kind} '{rest}'" if rest else kind


def explain_validation(exc: RequestValidationError) -> str:
    """Up to three validation errors in words: where, what is wrong, and what was sent (shortened)."""
    parts = []
    for e in exc.errors()[:3]:
        sent = e.get("input")
        shown = "" if sent is None or isinstance(sent, (dict, list)) else f" (got {str(sent)[:60]!r})"
        parts.append(f"{_where(tuple(e.get('loc', ('body',))))}: {e.get('msg', 'is invalid')}{shown}.")
    more = len(exc.errors()) - 3
    return " ".join(parts) + (f" And {more} more problem(s)." if more > 0 else "")


@app.exception_handler(RequestValidationError)
async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
    bad_json = next((e for e in exc.errors() if e.get("type") == "json_invalid"), None)
    if bad_json:
        why = bad_json.get("ctx", {}).get("error", "it cannot be parsed")
        return problem(400, "Malformed JSON", f"The body is not valid JSON: {why}. Send UTF-8 JSON (RFC 8259): "
                                              "no lone surrogates, NaN or Infinity.")
    return problem(422, "Invalid request", explain_validation(exc))


class BodyTooLarge(StarletteHTTPException):
    """Raised while a body arrives; an HTTPException so FastAPI's body reading passes it on as it is."""

    def __init__(self, limit: int) -> None:
        size = f"{limit // 2**20} MB" if limit >= 2**20 else f"{limit // 1024} KB"
        super().__init__(413, f"Bodies sent here are at most {size}; send a smaller body (or smaller batches).")


@app.exception_handler(StarletteHTTPException)
async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
    titles = {404: "Not found", 405: "Method not allowed", 413: "Payload too large"}
    detail = {404: "There is no such endpoint; see /docs for the list.",
              405: "This endpoint does not take that method; see /docs."}.get(exc.status_code, str(exc.detail))
    return problem(exc.status_code, titles.get(exc.status_code, "Error"), detail, getattr(exc, "headers", None))


@app.exception_handler(Exception)
async def unexpected(_: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error")
    return problem(500, "Internal error", f"Something failed on our side ({type(exc).__name__}); it has been logged. "
                                          "Try again, and tell the data team if it persists.")


class BodyLimit:
    """Counts a request body's bytes as they arrive and refuses it with 413 once past its limit.

    A chunked body has no Content-Length, so checking the header alone let any size
    through; this stops reading at the limit, before anything buffers the rest.
    """

    def __init__(self, app, default: int, per_path: dict[str, int]) -> None:
        self.app, self.default, self.per_path = app, default, per_path

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = self.per_path.get(scope["path"], self.default)
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            return await problem(413, "Payload too large", BodyTooLarge(limit).detail)(scope, receive, send)
        received = 0

        async def counted():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, counted, send)


# Registered before the audit middleware, so it runs inside it: an error raised while the body arrives then reaches the
# route's error handlers as it is (the audit middleware reads through a task group, which would wrap it).
app.add_middleware(BodyLimit, default=MAX_BODY_BYTES, per_path=BODY_LIMITS)


@app.middleware("http")
async def refuse_query_keys_and_audit(request: Request, call_next):
    if any(is_key_parameter(name) for name in request.query_params):
        # a URL ends up in proxies', servers' and browsers' logs and histories: a key there has to be replaced
        return problem(400, "API key in the URL", "Send the API key in the X-API-Key header, never in the query string "
                       "(URLs are logged); the key was not used, and if it is real, revoke it and create a new one.")
    response = await call_next(request)
    if getattr(request.state, "snapshot", None):
        response.headers["X-Snapshot"] = request.state.snapshot
    key = getattr(request.state, "caller", None)
    if key is not None or response.status_code in (401, 403):
        export = getattr(request.state, "export", None)
        audit.record(get_settings().audit_dir, actor=key.key_id if key else "unknown", role=key.role if key else "-",
                     scope=key.scope.label if key else "-", action="export" if export else request.method.lower(),
                     resource=request.url.path, params=dict(request.query_params) | ({"file": export} if export else {}), status=response.status_code,
                     rows=getattr(request.state, "rows", None), durable=export is not None)
    return response

