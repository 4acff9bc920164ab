"""晾晒通报 bulletins (plan §四(一)): made and downloaded by the street office; their summaries
are read by dashboards under /stats."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import Query, Response

from app.core.errors import problem_responses
from app.dependencies import CurrentActor, PageDep, SessionDep, SettingsDep
from app.models.bulletin import Bulletin
from app.routers._base import api_router
from app.schemas.bulletin import BulletinCreate, BulletinRead
from app.schemas.common import Page
from app.services.bulletins import service

router = api_router(prefix="/api/v1", tags=["bulletins"])

MEDIA = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


@router.post(
    "/bulletins",
    status_code=201,
    response_model=BulletinRead,
    responses=problem_responses(401, 403, 422),
)
async def create_bulletin(
    body: BulletinCreate, actor: CurrentActor, session: SessionDep, settings: SettingsDep
) -> Bulletin:
    """Make (or make again) the bulletin of a month or a period: xlsx and PDF are stored."""
    start, end = body.period()
    return await service.create(session, actor=actor, start=start, end=end, settings=settings)


async def _list(
    actor: CurrentActor, session: SessionDep, page: PageDep, summaries: bool
) -> Page[BulletinRead]:
    items, nxt = await service.list_bulletins(
        session, actor=actor, limit=page.limit, cursor=page.cursor, summaries=summaries
    )
    return Page[BulletinRead](
        items=[BulletinRead.model_validate(b) for b in items], next_cursor=nxt
    )


@router.get(
    "/bulletins", response_model=Page[BulletinRead], responses=problem_responses(401, 403, 422)
)
async def list_bulletins(
    actor: CurrentActor, session: SessionDep, page: PageDep
) -> Page[BulletinRead]:
    """Bulletins, newest period first (street office)."""
    return await _list(actor, session, page, summaries=False)


@router.get(
    "/stats/bulletins",
    response_model=Page[BulletinRead],
    responses=problem_responses(401, 403, 422),
)
async def bulletin_summaries(
    actor: CurrentActor, session: SessionDep, page: PageDep
) -> Page[BulletinRead]:
    """Bulletin summaries for dashboards (aggregates, no personal data)."""
    return await _list(actor, session, page, summaries=True)


@router.get(
    "/bulletins/{bulletin_id}/file",
    response_class=Response,
    responses={
        200: {"content": {m: {} for m in MEDIA.values()}, "description": "通报文件"},
        **problem_responses(401, 403, 404, 422),
    },
)
async def bulletin_file(
    bulletin_id: uuid.UUID,
    actor: CurrentActor,
    session: SessionDep,
    format: Annotated[Literal["xlsx", "pdf"], Query()] = "pdf",  # noqa: A002
) -> Response:
    """Download the bulletin as xlsx or PDF (street office)."""
    row, content = await service.file_of(session, actor=actor, bulletin_id=bulletin_id, fmt=format)
    name = f"bulletin-{row.period_start.isoformat()}-{row.period_end.isoformat()}.{format}"
    return Response(
        content,
        media_type=MEDIA[format],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
