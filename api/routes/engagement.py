"""Gamification engagement and chatbot analytics (seed 2.1, 2.8)."""
from __future__ import annotations

from fastapi import APIRouter, Depends

from api.common import READ, ApiRoute, Period, filters, snapshot
from api.security import Caller, caller
from models.enums import BusinessUnit
from models.serving import ChatbotAnalytics, EngagementReport
from serving import analytics as an
from serving.snapshot import Snapshot

router = APIRouter(tags=["engagement"], route_class=ApiRoute)


@router.get("/api/gamif-analytics/engagement/", response_model=EngagementReport, responses=READ,
            summary="Per month: active candidates, points, achievements, levels and referrals")
def engagement(business_unit: BusinessUnit | None = None, period: Period = Depends(),
               who: Caller = Depends(caller("engagement:read")), snap: Snapshot = Depends(snapshot)) -> EngagementReport:
    months = an.engagement_report(snap, who.scope, filters(period, who.scope, business_unit))
    bu = business_unit.value if business_unit else who.scope.business_unit
    return EngagementReport(business_unit=bu, date_from=period.date_from, date_to=period.date_to, months=months)


@router.get("/api/chatbot/analytics/", response_model=ChatbotAnalytics, responses=READ,
            summary="Conversations, resolution and hand-off rates, by channel, and the intents asked for")
def chatbot(business_unit: BusinessUnit | None = None, period: Period = Depends(),
            who: Caller = Depends(caller("engagement:read")), snap: Snapshot = Depends(snapshot)) -> ChatbotAnalytics:
    return ChatbotAnalytics(**an.chatbot_analytics(snap, who.scope, filters(period, who.scope, business_unit)))
