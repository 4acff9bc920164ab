"""Staff view of public reports (brief §7): list, read, photos, triage, reward."""

from __future__ import annotations

import uuid

from fastapi import Response

from app.core.errors import NotFound, problem_responses
from app.core.storage import BlobNotFoundError
from app.dependencies import CurrentActor, PageDep, SessionDep, SettingsDep, StorageDep
from app.models.public_report import ReportOutcome
from app.routers._base import api_router
from app.schemas.common import Page
from app.schemas.public_report import ReportRead, RewardRequest, TriageRequest
from app.services.public_reports import staff, triage

router = api_router(prefix="/api/v1/reports", tags=["reports"])


@router.get("", response_model=Page[ReportRead], responses=problem_responses(401, 403, 422))
async def list_reports(
    actor: CurrentActor,
    session: SessionDep,
    settings: SettingsDep,
    page: PageDep,
    outcome: ReportOutcome | None = None,
    enterprise_id: uuid.UUID | None = None,
    unmatched: bool | None = None,
) -> Page[ReportRead]:
    """Public reports in the caller's scope, newest first."""
    items, nxt = await staff.list_reports(
        session,
        settings=settings,
        actor=actor,
        outcome=outcome,
        enterprise_id=enterprise_id,
        unmatched=unmatched,
        limit=page.limit,
        cursor=page.cursor,
    )
    return Page[ReportRead](items=items, next_cursor=nxt)


@router.get(
    "/{report_id}", response_model=ReportRead, responses=problem_responses(401, 403, 404, 422)
)
async def get_report(
    report_id: uuid.UUID, actor: CurrentActor, session: SessionDep, settings: SettingsDep
) -> ReportRead:
    """One report, with its possible duplicates."""
    return await staff.get_report(session, settings=settings, actor=actor, report_id=report_id)


@router.get(
    "/{report_id}/photos/{upload_id}",
    response_class=Response,
    responses={
        200: {"content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}}},
        **problem_responses(401, 403, 404, 422),
    },
)
async def get_report_photo(
    report_id: uuid.UUID,
    upload_id: uuid.UUID,
    actor: CurrentActor,
    session: SessionDep,
    storage: StorageDep,
) -> Response:
    """A report's photo (sanitised: no EXIF, no location)."""
    upload = await staff.report_photo(
        session, actor=actor, report_id=report_id, upload_id=upload_id
    )
    try:
        data = await storage.open(upload.sha256)
    except BlobNotFoundError:
        raise NotFound("照片文件不存在", "Photo file missing", code="photo_not_found") from None
    return Response(
        content=data,
        media_type=upload.content_type,
        headers={"Cache-Control": "private, max-age=3600"},
    )


@router.post(
    "/{report_id}/triage",
    response_model=ReportRead,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def triage_report(
    report_id: uuid.UUID,
    body: TriageRequest,
    actor: CurrentActor,
    session: SessionDep,
    settings: SettingsDep,
) -> ReportRead:
    """Accept (→ hazard), mark duplicate, or refuse a report; once only."""
    return await triage.triage(
        session, settings=settings, actor=actor, report_id=report_id, data=body
    )


@router.post(
    "/{report_id}/reward",
    response_model=ReportRead,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def reward_report(
    report_id: uuid.UUID,
    body: RewardRequest,
    actor: CurrentActor,
    session: SessionDep,
    settings: SettingsDep,
) -> ReportRead:
    """Record the reward decision on an accepted report (street office)."""
    return await triage.record_reward(
        session, settings=settings, actor=actor, report_id=report_id, data=body
    )
