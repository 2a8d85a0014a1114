"""Model scores, analyzers and segments (seed 2.8, 3.2, 3.4): reads from the snapshot, two writes that go through the writer."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from starlette.concurrency import run_in_threadpool

from api.common import READ, ApiRoute, PageParams, own_business_unit, problems, snapshot
from api.security import ApiProblem, Caller, caller
from foundation.errors import BadRequest
from ml.analyzers.runs import ANALYZERS
from ml.aura.segments import SegmentRuleError
from models.enums import BusinessUnit
from models.serving import (
    AnalyzerInfo,
    AnalyzerResult,
    AnalyzerRunStarted,
    ChurnScore,
    MatchScore,
    ScoreRequest,
    SegmentCreate,
    SegmentInfo,
)
from orchestration import launch
from serving import ml_scores
from serving.snapshot import Snapshot

router = APIRouter(tags=["ml"], route_class=ApiRoute)


@router.get("/api/gamif-analytics/churn/", response_model=list[ChurnScore], responses=READ,
            summary="Churn probability per candidate (next 30 days) with its top reasons, riskiest first")
def churn(request: Request, business_unit: BusinessUnit | None = None, min_probability: float = Query(0.0, ge=0, le=1),
          page: PageParams = Depends(), who: Caller = Depends(caller("scores:read")),
          snap: Snapshot = Depends(snapshot)) -> list[ChurnScore]:
    own_business_unit(who.scope, business_unit.value if business_unit else None)
    rows = ml_scores.churn_scores(snap, who.scope, business_unit=business_unit.value if business_unit else None,
                                 min_probability=min_probability, limit=page.limit, offset=page.offset)
    request.state.rows = len(rows)
    return [ChurnScore(**r) for r in rows]


@router.get("/api/analyzers/", response_model=list[AnalyzerInfo], responses=READ, summary="The analyzers and their last runs")
def analyzers(who: Caller = Depends(caller("analyzers:read")), snap: Snapshot = Depends(snapshot)) -> list[AnalyzerInfo]:
    return [AnalyzerInfo(**r) for r in ml_scores.analyzers(snap)]


@router.get("/api/analyzers/{analyzer_id}/results/", response_model=list[AnalyzerResult], responses={**READ, **problems(404)},
            summary="The latest result of an analyzer for each entity")
def analyzer_results(request: Request, analyzer_id: int, page: PageParams = Depends(),
                     who: Caller = Depends(caller("analyzers:read")), snap: Snapshot = Depends(snapshot)) -> list[AnalyzerResult]:
    rows = ml_scores.analyzer_results(snap, analyzer_id, limit=page.limit, offset=page.offset)
    request.state.rows = len(rows)
    return [AnalyzerResult(**r) for r in rows]


@router.post("/api/analyzers/run/", status_code=202, response_model=AnalyzerRunStarted, responses={**READ, **problems(409)},
             summary="Run every analyzer now (a pipeline run of ml/analyzers, then a new snapshot)")
def run_analyzers(who: Caller = Depends(caller("analyzers:run"))) -> AnalyzerRunStarted:

    # one run however many ask at once: the others are answered with the run already going
    run, already = launch.start_in_background("analyzers", "refresh", patterns=["ml/analyzers", "serving/snapshot"])
    return AnalyzerRunStarted(status="running" if already else "started", analyzers=list(ANALYZERS), run_key=run.run_key,
                              log_file=run.log_file, started_at=run.started_at, coalesced=already,
                              detail="GET /api/analyzers/ shows the new last_run once the run has published its snapshot.")


@router.get("/api/aura/segments/", response_model=list[SegmentInfo], responses=READ, summary="Rule segments and their sizes")
def segments(bu: BusinessUnit | None = None, who: Caller = Depends(caller("scores:read")),
             snap: Snapshot = Depends(snapshot)) -> list[SegmentInfo]:
    own_business_unit(who.scope, bu.value if bu else None)
    return [SegmentInfo(**r) for r in ml_scores.segments(snap, who.scope, bu.value if bu else None)]


@router.post("/api/aura/segment/", status_code=201, response_model=SegmentInfo, responses={**READ, **problems(409)},
             summary="Create (or replace) a rule segment; a bad rule gets a 422 naming the rule and why")
async def create_segment(segment: SegmentCreate, who: Caller = Depends(caller("segments:write"))) -> SegmentInfo:
    bu = own_business_unit(who.scope, segment.bu)
    try:
        row = await run_in_threadpool(launch.save_segment, segment.name, segment.rules, bu)
    except SegmentRuleError as exc:
        raise ApiProblem(422, "Invalid segment rule", f"Rule '{exc.rule}': {exc.problem}.", rule=exc.rule) from None
    return SegmentInfo(id=row["segment_id"], name=row["name"], rules=segment.rules, bu=row["business_unit"],
                       members=row["members"], created_at=row["created_at"])


@router.post("/api/aura/score/", response_model=list[MatchScore], responses={**READ, **problems(404)},
             summary="Top-k candidates for a vacancy, top-k vacancies for a candidate, or one pair's match score")
def score(request: ScoreRequest, who: Caller = Depends(caller("scores:read")),
          snap: Snapshot = Depends(snapshot)) -> list[MatchScore]:
    if request.vacancy_id is None and request.candidate_id is None:
        raise BadRequest("Give a vacancy_id, a candidate_id, or both.",
                         "Send {\"vacancy_id\": \"vac_000001\", \"top_k\": 10} (or a candidate_id, or both for one pair).")
    rows = ml_scores.match_scores(snap, who.scope, vacancy_id=request.vacancy_id, candidate_id=request.candidate_id,
                                 top_k=request.top_k, reveal_pii=who.sees_pii, pii_key=who.pii_key())
    return [MatchScore(**r) for r in rows]
