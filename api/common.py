"""What the routes share: their route class, the snapshot of a request, the period and page of a query, and error shapes."""
from __future__ import annotations

from datetime import date

import orjson
from fastapi import Query, Request
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from access.policy import Scope
from api.security import ApiProblem, authenticate
from foundation.errors import Forbidden
from foundation.settings import get_settings
from models.enums import BusinessUnit
from models.serving import Page, Problem
from serving.analytics import Filters
from serving.snapshot import Snapshot, open_current


class StrictJsonRequest(Request):
    """JSON bodies parsed by orjson, which refuses what the standard library lets through: a lone surrogate
    ("\\ud800", a string nothing can encode again, so it failed later as a 500) and NaN or Infinity.
    Its JSONDecodeError is the standard one, so FastAPI answers it as malformed JSON."""

    async def json(self):
        if not hasattr(self, "_json"):
            self._json = orjson.loads(await self.body())
        return self._json


class ApiRoute(APIRoute):
    """The route class of every router: a route that needs a key checks it before FastAPI reads the body (an
    unauthenticated client cannot make the server read and hold 10 MB first), and JSON bodies are parsed strictly."""

    def get_route_handler(self):
        handle = super().get_route_handler()
        needs_key = any(getattr(d.call, "checks_key", False) for d in self.dependant.dependencies)

        async def key_first(request: Request):
            if needs_key:
                await run_in_threadpool(authenticate, request)  # the key file may be re-read: off the event loop
            return await handle(StrictJsonRequest(request.scope, request.receive))

        return key_first


def snapshot(request: Request) -> Snapshot:
    """The current snapshot, taken once per request: every query of a response reads the same data.

    Its name goes back in the X-Snapshot header, so a client can tell which data an answer came from.
    """
    snap = open_current(get_settings())
    request.state.snapshot = snap.path.name
    return snap


#: Dates outside these are typos (huntRED's data starts in the 2020s); refusing them keeps period arithmetic in range.
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)


def check_period(date_from: date | None, date_to: date | None) -> None:
    for name, d in (("from", date_from), ("to", date_to)):
        if d is not None and not EARLIEST <= d <= LATEST:
            raise ApiProblem(422, "Invalid period", f"'{name}' is {d}; give a day between {EARLIEST} and {LATEST}.")
    if date_from and date_to and date_from > date_to:
        raise ApiProblem(422, "Invalid period", f"The period starts ({date_from}) after it ends ({date_to}); swap from and to.")


class Period:
    def __init__(self, date_from: date | None = Query(None, alias="from", description="First day (YYYY-MM-DD)."),
                 date_to: date | None = Query(None, alias="to", description="Last day (YYYY-MM-DD).")) -> None:
        check_period(date_from, date_to)
        self.date_from, self.date_to = date_from, date_to


class PageParams:
    def __init__(self, limit: int = Query(50, ge=1, le=500, description="Rows per page."),
                 offset: int = Query(0, ge=0, le=1_000_000, description="Rows to skip.")) -> None:
        self.limit, self.offset = limit, offset


def page_of(model, request: Request, rows: list[dict], total: int, page: PageParams) -> Page:
    """A page of a list endpoint; the audit log records how many rows it returned."""
    request.state.rows = len(rows)
    return Page[model](items=rows, total=total, limit=page.limit, offset=page.offset)


def filters(period: Period, scope: Scope, business_unit: BusinessUnit | None = None) -> Filters:
    """The filters of a read; asking for a business unit outside the key's scope is refused here, for every route."""
    own_business_unit(scope, business_unit.value if business_unit else None)
    return Filters(business_units=(business_unit.value,) if business_unit else (), date_from=period.date_from,
                   date_to=period.date_to)


def own_business_unit(scope: Scope, asked: str | None) -> str | None:
    """A BU manager asking for another BU is told so with a 403 (rather than shown an empty answer)."""
    if scope.business_unit and asked and asked != scope.business_unit:
        raise Forbidden(f"Your key covers {scope.business_unit} only, not {asked}.", "Ask for your own business unit.")
    return scope.business_unit or asked


def problems(*statuses: int) -> dict:
    text = {400: "The request cannot be read.", 401: "No API key, or one that is not valid.",
            403: "The key's role or scope does not cover this.", 404: "No such id among what the key may see.",
            409: "The warehouse is being written by a pipeline run; try again shortly.",
            413: "The payload is too large.", 422: "A parameter or the body is invalid (the detail says which and why).",
            429: "The key's rate limit is reached (see Retry-After).", 503: "No snapshot has been published yet."}
    return {s: {"model": Problem, "description": text[s]} for s in statuses}


READ = problems(401, 403, 422, 429)
