from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import Query, Response

from app.core.errors import problem_responses
from app.dependencies import CurrentActor, PageDep, SessionDep, SettingsDep
from app.models.inspection import InspectionKind
from app.routers._base import api_router, created_or_stored
from app.schemas.common import BoundedDateTime, Page
from app.schemas.inspection import InspectionCreate, InspectionRead
from app.services import inspections

router = api_router(prefix="/api/v1/inspections", tags=["inspections"])


@router.get("", response_model=Page[InspectionRead], responses=problem_responses(401, 403, 422))
async def list_inspections(
    actor: CurrentActor,
    session: SessionDep,
    page: PageDep,
    enterprise_id: uuid.UUID | None = None,
    kind: InspectionKind | None = None,
    started_from: Annotated[
        BoundedDateTime | None, Query(alias="from", description="started_at ≥ from")
    ] = None,
    started_to: Annotated[
        BoundedDateTime | None, Query(alias="to", description="started_at < to")
    ] = None,
) -> Page[InspectionRead]:
    """Inspections of the enterprises the caller may see, newest first."""
    items, nxt = await inspections.list_inspections(
        session,
        actor=actor,
        enterprise_id=enterprise_id,
        kind=kind,
        started_from=started_from,
        started_to=started_to,
        limit=page.limit,
        cursor=page.cursor,
    )
    return Page[InspectionRead](
        items=[InspectionRead.model_validate(i) for i in items], next_cursor=nxt
    )


@router.post(
    "",
    status_code=201,
    response_model=InspectionRead,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def create_inspection(
    body: InspectionCreate,
    actor: CurrentActor,
    session: SessionDep,
    settings: SettingsDep,
    response: Response,
) -> dict[str, Any]:
    """File an inspection; each failed item becomes a major hazard (re-send → 200, same body)."""
    return created_or_stored(
        response,
        await inspections.create_inspection(
            session, actor=actor, data=body, checkin_radius_m=settings.checkin_radius_m
        ),
    )


@router.get(
    "/{inspection_id}",
    response_model=InspectionRead,
    responses=problem_responses(401, 403, 404, 422),
)
async def get_inspection(
    inspection_id: uuid.UUID, actor: CurrentActor, session: SessionDep
) -> dict[str, Any]:
    """One inspection with its responses, quiz records and hazards."""
    return await inspections.get_inspection(session, actor=actor, inspection_id=inspection_id)
