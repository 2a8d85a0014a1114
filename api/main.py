"""The operational API. Reads only the published snapshot (read-only, one cursor per request)."""
from __future__ import annotations

from datetime import datetime, timezone

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse

from huntred.errors import UserError
from huntred.serving import Snapshot, open_current, quarantine_summary, source_status
from huntred.settings import get_settings
from models.serving import Health, Problem, QuarantineCount, Readiness, SourceStatus

app = FastAPI(
    title="huntRED data platform API",
    version="0.1.0",
    description="Operational endpoints of the huntRED lakehouse. Data comes from the latest published snapshot.",
    responses={503: {"model": Problem, "description": "No snapshot has been published yet."}},
)


@app.exception_handler(UserError)
async def user_error(_: Request, exc: UserError) -> JSONResponse:
    body = Problem(title=exc.problem, status=503, detail=f"{exc.problem} {exc.fix}")
    return JSONResponse(body.model_dump(), status_code=503, media_type="application/problem+json")


def snapshot() -> Snapshot:
    return open_current(get_settings())


@app.get("/health", response_model=Health, tags=["operations"], summary="The process is up")
def health() -> Health:
    return Health(status="ok")


@app.get("/ready", response_model=Readiness, tags=["operations"], summary="A snapshot is loaded, and how old it is")
def ready(snap: Snapshot = Depends(snapshot)) -> Readiness:
    age = (datetime.now(timezone.utc) - snap.published_at).total_seconds()
    return Readiness(status="ready", snapshot=snap.path.name, run_id=snap.run_id, published_at=snap.published_at,
                     data_age_seconds=round(age, 1))


@app.get("/api/status/sources/", response_model=list[SourceStatus], tags=["lakehouse"],
         summary="Files and rows ingested per source family, quarantined rows, freshness")
def sources(snap: Snapshot = Depends(snapshot)) -> list[SourceStatus]:
    return [SourceStatus(**row) for row in source_status(snap).iter_rows(named=True)]


@app.get("/api/status/quarantine/", response_model=list[QuarantineCount], tags=["lakehouse"],
         summary="Quarantined records per source, table and reason")
def quarantine(snap: Snapshot = Depends(snapshot)) -> list[QuarantineCount]:
    return [QuarantineCount(**row) for row in quarantine_summary(snap).iter_rows(named=True)]
