"""Liveness, readiness and the lakehouse's own status."""
from __future__ import annotations

from datetime import datetime, timezone

from fastapi import APIRouter, Depends

from api.common import READ, ApiRoute, snapshot
from api.security import Caller, caller
from models.serving import Health, QuarantineCount, Readiness, SourceStatus
from serving.snapshot import Snapshot
from serving.status import quarantine_summary, source_status

router = APIRouter(route_class=ApiRoute)


@router.get("/health", response_model=Health, tags=["operations"], summary="The process is up")
def health() -> Health:
    return Health(status="ok")


@router.get("/ready", response_model=Readiness, tags=["operations"], summary="A snapshot is loaded, and how old it is")
def ready(snap: Snapshot = Depends(snapshot)) -> Readiness:
    age = (datetime.now(timezone.utc) - snap.published_at).total_seconds()
    return Readiness(status="ready", snapshot=snap.path.name, run_id=snap.run_id, published_at=snap.published_at,
                     data_age_seconds=round(age, 1))


@router.get("/api/status/sources/", response_model=list[SourceStatus], tags=["lakehouse"], responses=READ,
            summary="Files and rows ingested per source family, quarantined rows, freshness")
def sources(who: Caller = Depends(caller("status:read")), snap: Snapshot = Depends(snapshot)) -> list[SourceStatus]:
    return [SourceStatus(**row) for row in source_status(snap).iter_rows(named=True)]


@router.get("/api/status/quarantine/", response_model=list[QuarantineCount], tags=["lakehouse"], responses=READ,
            summary="Quarantined records per source, table and reason")
def quarantine(who: Caller = Depends(caller("status:read")), snap: Snapshot = Depends(snapshot)) -> list[QuarantineCount]:
    return [QuarantineCount(**row) for row in quarantine_summary(snap).iter_rows(named=True)]
