"""The operational API. Reads only the published snapshot (read-only, one cursor per request).

Routes live in ``api/routes/`` (thin: parse, check the caller, call ``huntred``);
this module assembles them and turns every error into application/problem+json
with a sentence a person understands, and records each call in the audit log.
"""
from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.routes import campaigns, engagement, ingestion, ml, operations, payments, reports
from api.security import ApiProblem
from huntred import audit
from huntred.errors import BadRequest, Busy, Forbidden, NotFound, UserError
from huntred.settings import get_settings
from models.serving import Problem

MAX_BODY_BYTES = 10 * 1024 * 1024
log = logging.getLogger("huntred.api")

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
    from fastapi.openapi.utils import get_openapi

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
    if any(e.get("type") == "json_invalid" for e in exc.errors()):
        return problem(400, "Malformed JSON", "The body is not valid JSON: " + explain_validation(exc))
    return problem(422, "Invalid request", explain_validation(exc))


@app.exception_handler(StarletteHTTPException)
async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
    titles = {404: "Not found", 405: "Method not allowed"}
    detail = {404: "There is no such endpoint; see /docs for the list.",
              405: "This endpoint does not take that method; see /docs."}.get(exc.status_code, str(exc.detail))
    return problem(exc.status_code, titles.get(exc.status_code, "Error"), detail, getattr(exc, "headers", None))


@app.exception_handler(Exception)
async def unexpected(_: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error")
    return problem(500, "Internal error", f"Something failed on our side ({type(exc).__name__}); it has been logged. "
                                          "Try again, and tell the data team if it persists.")


@app.middleware("http")
async def limit_and_audit(request: Request, call_next):
    length = request.headers.get("content-length")
    if length is not None and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
        return problem(413, "Payload too large", f"Bodies are at most {MAX_BODY_BYTES // 2**20} MB; send smaller batches.")
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
