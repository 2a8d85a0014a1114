"""The operational API. Reads only the published snapshot (read-only, one cursor per request)."""
from __future__ import annotations

from datetime import datetime, timezone

from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import JSONResponse

from huntred import ml_reads
from huntred.errors import NotFound, UserError
from huntred.serving import Snapshot, open_current, quarantine_summary, source_status
from huntred.settings import get_settings
from models.enums import BusinessUnit
from models.serving import (
    AnalyzerInfo,
    AnalyzerResult,
    ChurnScore,
    Health,
    MatchScore,
    Problem,
    QuarantineCount,
    Readiness,
    ScoreRequest,
    SegmentInfo,
    SourceStatus,
)

app = FastAPI(
    title="huntRED data platform API",
    version="0.1.0",
    description="Operational endpoints of the huntRED lakehouse. Data comes from the latest published snapshot.",
    responses={503: {"model": Problem, "description": "No snapshot has been published yet."}},
)


class BadRequest(UserError):
    """The request is well-formed but asks for something that cannot be answered (422)."""


@app.exception_handler(UserError)
async def user_error(_: Request, exc: UserError) -> JSONResponse:
    status = 404 if isinstance(exc, NotFound) else 422 if isinstance(exc, BadRequest) else 503
    body = Problem(title=exc.problem, status=status, detail=f"{exc.problem} {exc.fix}")
    return JSONResponse(body.model_dump(), status_code=status, media_type="application/problem+json")



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


# -- ML: scores of the champion models, analyzers, segments (seed 2.8, 3.2, 3.4) ----------------------------------
_NOT_FOUND = {404: {"model": Problem, "description": "No such id in the current snapshot."}}


@app.get("/api/gamif-analytics/churn/", response_model=list[ChurnScore], tags=["ml"],
         summary="Churn probability per candidate (next 30 days) with its top reasons, riskiest first")
def churn(business_unit: BusinessUnit | None = None, min_probability: float = Query(0.0, ge=0, le=1),
          limit: int = Query(100, ge=1, le=1000), offset: int = Query(0, ge=0),
          snap: Snapshot = Depends(snapshot)) -> list[ChurnScore]:
    rows = ml_reads.churn_scores(snap, business_unit=business_unit.value if business_unit else None,
                                 min_probability=min_probability, limit=limit, offset=offset)
    return [ChurnScore(**r) for r in rows]


@app.get("/api/analyzers/", response_model=list[AnalyzerInfo], tags=["ml"], summary="The analyzers and their last runs")
def analyzers(snap: Snapshot = Depends(snapshot)) -> list[AnalyzerInfo]:
    return [AnalyzerInfo(**r) for r in ml_reads.analyzers(snap)]


@app.get("/api/analyzers/{analyzer_id}/results/", response_model=list[AnalyzerResult], tags=["ml"], responses=_NOT_FOUND,
         summary="The latest result of an analyzer for each entity")
def analyzer_results(analyzer_id: int, limit: int = Query(100, ge=1, le=1000), offset: int = Query(0, ge=0),
                     snap: Snapshot = Depends(snapshot)) -> list[AnalyzerResult]:
    return [AnalyzerResult(**r) for r in ml_reads.analyzer_results(snap, analyzer_id, limit=limit, offset=offset)]


@app.get("/api/aura/segments/", response_model=list[SegmentInfo], tags=["ml"], summary="Rule segments and their sizes")
def segments(bu: BusinessUnit | None = None, snap: Snapshot = Depends(snapshot)) -> list[SegmentInfo]:
    return [SegmentInfo(**r) for r in ml_reads.segments(snap, bu.value if bu else None)]


@app.post("/api/aura/score/", response_model=list[MatchScore], tags=["ml"], responses=_NOT_FOUND,
          summary="Top-k candidates for a vacancy (or vacancies for a candidate) by the champion matching model")
def score(request: ScoreRequest, snap: Snapshot = Depends(snapshot)) -> list[MatchScore]:
    if (request.vacancy_id is None) == (request.candidate_id is None):
        raise BadRequest("Give exactly one of vacancy_id and candidate_id.",
                         "Send {\"vacancy_id\": \"vac_000001\", \"top_k\": 10} or {\"candidate_id\": \"...\"}.")
    rows = ml_reads.match_scores(snap, vacancy_id=request.vacancy_id, candidate_id=request.candidate_id, top_k=request.top_k)
    return [MatchScore(**r) for r in rows]
