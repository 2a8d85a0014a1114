"""Campaigns of huntRED Publish and their metrics (seed 13.12, 13.14)."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Query, Request

from api.common import READ, ApiRoute, PageParams, Period, filters, page_of, problems, snapshot
from api.security import Caller, caller
from models.enums import BusinessUnit
from models.serving import Campaign, CampaignMetrics, Page
from serving import analytics as an
from serving.snapshot import Snapshot

router = APIRouter(prefix="/api/publish", tags=["campaigns"], route_class=ApiRoute)
CAMPAIGN_ID = Path(..., max_length=64, description="Campaign id, e.g. cmp_00006.")


@router.get("/campaigns/", response_model=Page[Campaign], responses=READ,
            summary="Campaigns in the key's scope with lifetime figures, newest first")
def campaigns(request: Request, business_unit: BusinessUnit | None = None,
              status: str | None = Query(None, pattern="^(scheduled|active|finished)$"),
              search: str | None = Query(None, max_length=100, description="Part of the campaign name."),
              period: Period = Depends(), page: PageParams = Depends(),
              who: Caller = Depends(caller("campaigns:read")), snap: Snapshot = Depends(snapshot)) -> Page[Campaign]:
    rows, total = an.campaign_page(snap, who.scope, filters(period, who.scope, business_unit), status=status, search=search,
                                   limit=page.limit, offset=page.offset)
    return page_of(Campaign, request, rows, total, page)


@router.get("/campaigns/{campaign_id}/", response_model=Campaign, responses={**READ, **problems(404)},
            summary="One campaign with its lifetime figures")
def campaign(campaign_id: str = CAMPAIGN_ID, who: Caller = Depends(caller("campaigns:read")),
             snap: Snapshot = Depends(snapshot)) -> Campaign:
    return Campaign(**an.campaign_detail(snap, who.scope, campaign_id))


@router.get("/campaigns/{campaign_id}/metrics/", response_model=CampaignMetrics, responses={**READ, **problems(404)},
            summary="Reach, clicks, applications, conversion rate, engagement score, by channel (seed 13.12)")
def campaign_metrics(campaign_id: str = CAMPAIGN_ID, period: Period = Depends(),
                     who: Caller = Depends(caller("campaigns:read")), snap: Snapshot = Depends(snapshot)) -> CampaignMetrics:
    return CampaignMetrics(**an.campaign_metrics(snap, who.scope, campaign_id, filters(period, who.scope)))
