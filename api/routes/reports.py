"""ROI reports and consulting exports: the same builders, hence the same numbers, as the dashboard and the CLI."""
from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from api.common import READ, ApiRoute, check_period, own_business_unit, problems, snapshot
from api.security import Caller, caller
from foundation.errors import BadRequest
from models.enums import BusinessUnit
from serving.analytics import Filters
from serving.reports.client_export import build_client_export, export_zip
from serving.reports.roi import build_roi_report, roi_pdf, roi_xlsx
from serving.snapshot import Snapshot

router = APIRouter(prefix="/api/reports", tags=["reports"], route_class=ApiRoute)
MEDIA = {"pdf": "application/pdf", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "zip": "application/zip"}


def _file(request: Request, data: bytes, name: str, kind: str) -> Response:
    request.state.export = name  # the audit log records what left, durably
    return Response(data, media_type=MEDIA[kind], headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/roi", response_class=Response, responses={**READ, **problems(404),
            200: {"content": {MEDIA["pdf"]: {}, MEDIA["xlsx"]: {}}, "description": "The report file."}},
            summary="The ROI report of a business unit for a period, as PDF (with charts) or Excel")
async def roi(request: Request, bu: BusinessUnit | None = Query(None, description="Business unit; a BU manager's own by default."),
              date_from: date = Query(..., alias="from"), date_to: date = Query(..., alias="to"),
              format: str = Query("pdf", pattern="^(pdf|xlsx)$"),
              who: Caller = Depends(caller("reports:roi")), snap: Snapshot = Depends(snapshot)) -> Response:

    check_period(date_from, date_to)
    chosen = own_business_unit(who.scope, bu.value if bu else None)

    def build() -> tuple[bytes, str]:
        report = build_roi_report(snap, who.scope, chosen, date_from, date_to)
        return (roi_pdf(report) if format == "pdf" else roi_xlsx(report)), f"{report.file_stem}.{format}"

    data, name = await run_in_threadpool(build)
    return _file(request, data, name, format)


@router.get("/client-export", response_class=Response, responses={**READ, **problems(404),
            200: {"content": {MEDIA["zip"]: {}}, "description": "Excel, Parquet, a PDF summary and a README, zipped."}},
            summary="The consulting export of a huntRED Solutions client (small counts suppressed)")
async def client_export(request: Request, client_id: str | None = Query(None, max_length=32, pattern="^[A-Za-z0-9_-]+$",
                                                                          description="A client key's own by default."),
                        date_from: date | None = Query(None, alias="from", description="First day; default: the data's first."),
                        date_to: date | None = Query(None, alias="to", description="Last day; default: the data's last."),
                        who: Caller = Depends(caller("reports:client_export")),
                        snap: Snapshot = Depends(snapshot)) -> Response:

    chosen = client_id or who.scope.client_id
    if chosen is None:
        raise BadRequest("Which client?", "Give client_id, e.g. ?client_id=cli_00004.")

    if date_from and date_to:
        check_period(date_from, date_to)

    def build() -> tuple[bytes, str]:
        export = build_client_export(snap, who.scope, chosen, Filters(date_from=date_from, date_to=date_to))
        return export_zip(export), export.file_name

    data, name = await run_in_threadpool(build)
    return _file(request, data, name, "zip")
