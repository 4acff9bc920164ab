"""The year's priority tasks (§三(三)5), 五带头 records (§四(二)) and disclosures (§四(四))."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import Query, Response
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import problem_responses
from app.dependencies import CurrentActor, PageDep, SessionDep
from app.routers._base import api_router, created_or_stored
from app.schemas.common import Page
from app.schemas.plan_records import (
    DisclosureCreate,
    DisclosureRead,
    PrincipalActionCreate,
    PrincipalActionRead,
    PriorityTaskCreate,
    PriorityTaskRead,
)
from app.services import disclosures, principal_actions, priority_tasks
from app.services.policy import Actor

router = api_router(prefix="/api/v1", tags=["plan"])

Year = Annotated[int, Query(ge=2000, le=2100)]
WRITE = problem_responses(401, 403, 404, 409, 422)


@router.post("/priority-tasks", status_code=201, response_model=PriorityTaskRead, responses=WRITE)
async def create_priority_task(
    body: PriorityTaskCreate, actor: CurrentActor, session: SessionDep, response: Response
) -> dict[str, Any]:
    """Record one of the year's 整治重点任务 with its target (street office)."""
    return created_or_stored(
        response, await priority_tasks.create_task(session, actor=actor, data=body)
    )


@router.get(
    "/priority-tasks",
    response_model=list[PriorityTaskRead],
    responses=problem_responses(401, 403, 422),
)
async def list_priority_tasks(
    actor: CurrentActor, session: SessionDep, year: Year
) -> list[dict[str, Any]]:
    """The year's 整治重点任务 with their progress."""
    return await priority_tasks.list_tasks(session, actor=actor, year=year)


@router.post(
    "/enterprises/{enterprise_id}/principal-actions",
    status_code=201,
    response_model=PrincipalActionRead,
    responses=WRITE,
)
async def create_principal_action(
    enterprise_id: uuid.UUID,
    body: PrincipalActionCreate,
    actor: CurrentActor,
    session: SessionDep,
    response: Response,
) -> dict[str, Any]:
    """Record one of the principal head's 五带头 actions (the enterprise or the street office)."""
    return created_or_stored(
        response,
        await principal_actions.create_action(
            session, actor=actor, enterprise_id=enterprise_id, data=body
        ),
    )


@router.get(
    "/enterprises/{enterprise_id}/principal-actions",
    response_model=Page[PrincipalActionRead],
    responses=problem_responses(401, 403, 404, 422),
)
async def list_principal_actions(
    enterprise_id: uuid.UUID,
    actor: CurrentActor,
    session: SessionDep,
    page: PageDep,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> Page[PrincipalActionRead]:
    """The enterprise's 五带头 records, newest first."""
    items, nxt = await principal_actions.list_actions(
        session,
        actor=actor,
        enterprise_id=enterprise_id,
        year=year,
        limit=page.limit,
        cursor=page.cursor,
    )
    return Page[PrincipalActionRead](
        items=[PrincipalActionRead.model_validate(i) for i in items], next_cursor=nxt
    )


@router.post("/disclosures", status_code=201, response_model=DisclosureRead, responses=WRITE)
async def publish_disclosure(
    body: DisclosureCreate, actor: CurrentActor, session: SessionDep, response: Response
) -> dict[str, Any]:
    """Publish a 挂牌督办 major hazard or a typical enforcement case (street office)."""
    row = created_or_stored(
        response, await disclosures.publish_new(session, actor=actor, data=body)
    )
    return (await disclosures.shape(session, [row]))[0]


@router.get(
    "/disclosures",
    response_model=Page[DisclosureRead],
    responses=problem_responses(401, 403, 422),
)
async def list_disclosures(
    actor: CurrentActor, session: SessionDep, page: PageDep
) -> Page[DisclosureRead]:
    """Everything ever published, including what was withdrawn (street office)."""
    items, nxt = await disclosures.list_disclosures(
        session, actor=actor, limit=page.limit, cursor=page.cursor
    )
    return Page[DisclosureRead](
        items=[DisclosureRead.model_validate(i) for i in items], next_cursor=nxt
    )


async def _set(
    session: AsyncSession, actor: Actor, disclosure_id: uuid.UUID, published: bool
) -> dict[str, Any]:
    row = await disclosures.set_published(
        session, actor=actor, disclosure_id=disclosure_id, published=published
    )
    return (await disclosures.shape(session, [row]))[0]


@router.post(
    "/disclosures/{disclosure_id}/unpublish", response_model=DisclosureRead, responses=WRITE
)
async def unpublish_disclosure(
    disclosure_id: uuid.UUID, actor: CurrentActor, session: SessionDep
) -> dict[str, Any]:
    """Withdraw a disclosure from the public list."""
    return await _set(session, actor, disclosure_id, False)


@router.post("/disclosures/{disclosure_id}/publish", response_model=DisclosureRead, responses=WRITE)
async def republish_disclosure(
    disclosure_id: uuid.UUID, actor: CurrentActor, session: SessionDep
) -> dict[str, Any]:
    """Publish a withdrawn disclosure again."""
    return await _set(session, actor, disclosure_id, True)
