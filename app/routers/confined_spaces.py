"""The confined-space ledger of an enterprise (13号令 art. 6)."""

from __future__ import annotations

import uuid

from fastapi import Response

from app.core.errors import problem_responses
from app.dependencies import CurrentActor, PageDep, SessionDep
from app.models.permit import ConfinedSpace
from app.routers._base import api_router, created_or_stored
from app.schemas.common import Page
from app.schemas.confined_space import ConfinedSpaceCreate, ConfinedSpaceRead
from app.services import confined_spaces

router = api_router(prefix="/api/v1/enterprises/{enterprise_id}", tags=["permits"])

READ = problem_responses(401, 403, 404, 422)


@router.get("/confined-spaces", response_model=Page[ConfinedSpaceRead], responses=READ)
async def list_spaces(
    enterprise_id: uuid.UUID,
    actor: CurrentActor,
    session: SessionDep,
    page: PageDep,
    poisoning_risk: bool | None = None,
) -> Page[ConfinedSpaceRead]:
    """The enterprise's confined spaces, by ledger code."""
    rows, nxt = await confined_spaces.list_spaces(
        session,
        actor=actor,
        enterprise_id=enterprise_id,
        poisoning_risk=poisoning_risk,
        limit=page.limit,
        cursor=page.cursor,
    )
    return Page[ConfinedSpaceRead](
        items=[ConfinedSpaceRead.model_validate(r) for r in rows], next_cursor=nxt
    )


@router.post(
    "/confined-spaces",
    status_code=201,
    response_model=ConfinedSpaceRead,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def create_space(
    enterprise_id: uuid.UUID,
    body: ConfinedSpaceCreate,
    actor: CurrentActor,
    session: SessionDep,
    response: Response,
) -> ConfinedSpace:
    """Add a space to the ledger, with its H2S/CO/CO2 poisoning risk."""
    return created_or_stored(
        response,
        await confined_spaces.create_space(
            session, actor=actor, enterprise_id=enterprise_id, data=body
        ),
    )


@router.get("/confined-spaces/{space_id}", response_model=ConfinedSpaceRead, responses=READ)
async def get_space(
    enterprise_id: uuid.UUID, space_id: uuid.UUID, actor: CurrentActor, session: SessionDep
) -> ConfinedSpace:
    """One space of the ledger."""
    return await confined_spaces.get_space(
        session, actor=actor, enterprise_id=enterprise_id, space_id=space_id
    )
