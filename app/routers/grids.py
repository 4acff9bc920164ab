from __future__ import annotations

import uuid

from fastapi import Response

from app.core.errors import problem_responses
from app.dependencies import CurrentActor, PageDep, SessionDep
from app.models.grid import Grid
from app.routers._base import api_router, created_or_stored
from app.schemas.common import Page
from app.schemas.grid import GridCreate, GridRead, GridUpdate
from app.services import grids

router = api_router(prefix="/api/v1/grids", tags=["grids"])


@router.get("", response_model=Page[GridRead], responses=problem_responses(401, 403, 422))
async def list_grids(actor: CurrentActor, session: SessionDep, page: PageDep) -> Page[GridRead]:
    """Grids the caller may see."""
    items, nxt = await grids.list_grids(session, actor=actor, limit=page.limit, cursor=page.cursor)
    return Page[GridRead](items=[GridRead.model_validate(g) for g in items], next_cursor=nxt)


@router.post(
    "", status_code=201, response_model=GridRead, responses=problem_responses(401, 403, 409, 422)
)
async def create_grid(
    body: GridCreate, actor: CurrentActor, session: SessionDep, response: Response
) -> Grid:
    """Create a grid (street office)."""
    return created_or_stored(
        response, await grids.create_grid(session, actor=actor, name=body.name, grid_id=body.id)
    )


@router.get("/{grid_id}", response_model=GridRead, responses=problem_responses(401, 403, 404, 422))
async def get_grid(grid_id: uuid.UUID, actor: CurrentActor, session: SessionDep) -> Grid:
    """One grid."""
    return await grids.get_grid(session, actor=actor, grid_id=grid_id)


@router.patch(
    "/{grid_id}", response_model=GridRead, responses=problem_responses(401, 403, 404, 409, 422)
)
async def rename_grid(
    grid_id: uuid.UUID, body: GridUpdate, actor: CurrentActor, session: SessionDep
) -> Grid:
    """Rename a grid (street office)."""
    return await grids.rename_grid(session, actor=actor, grid_id=grid_id, name=body.name)
