"""Grids (网格): managed by the street office, visible per `policy.grid_scope`."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import Conflict, NotFound
from app.models.grid import Grid
from app.services import audit
from app.services.insert_once import id_conflict, insert_once, replay_existing
from app.services.pagination import keyset_page
from app.services.policy import Actor, Permission, grid_scope, require_permission


async def list_grids(
    session: AsyncSession, *, actor: Actor, limit: int, cursor: str | None
) -> tuple[list[Grid], str | None]:
    require_permission(actor, Permission.GRID_READ)
    stmt = select(Grid).where(grid_scope(actor, Grid.id))
    return await keyset_page(session, stmt, order=[Grid.name, Grid.id], limit=limit, cursor=cursor)


async def get_grid(session: AsyncSession, *, actor: Actor, grid_id: uuid.UUID) -> Grid:
    require_permission(actor, Permission.GRID_READ)
    grid = await session.scalar(select(Grid).where(Grid.id == grid_id, grid_scope(actor, Grid.id)))
    if grid is None:
        raise NotFound("网格不存在", "Grid not found")
    return grid


async def _flush_unique(session: AsyncSession) -> None:
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        raise Conflict("网格名称已存在", "Grid name already exists", code="duplicate_name") from exc


async def create_grid(
    session: AsyncSession, *, actor: Actor, name: str, grid_id: uuid.UUID | None
) -> tuple[Grid, bool]:
    """(grid, created): a re-sent create with the same id and name returns the stored grid."""
    require_permission(actor, Permission.GRID_MANAGE)

    async def replay(existing: Grid) -> Grid:
        if existing.name != name:
            raise id_conflict("该 id 已用于另一网格", "Id already used")
        return existing

    if (stored := await replay_existing(session, Grid, grid_id, replay)) is not None:
        return stored, False
    grid = Grid(id=grid_id or uuid.uuid4(), name=name)
    duplicate = Conflict("网格名称已存在", "Grid name already exists", code="duplicate_name")
    if (stored := await insert_once(session, grid, replay, other_conflict=duplicate)) is not None:
        return stored, False
    audit.record(
        session,
        actor=actor,
        action="create",
        object_type="grid",
        object_id=grid.id,
        changes=audit.diff({}, {"name": name}),
    )
    return grid, True


async def rename_grid(
    session: AsyncSession, *, actor: Actor, grid_id: uuid.UUID, name: str
) -> Grid:
    require_permission(actor, Permission.GRID_MANAGE)
    grid = await get_grid(session, actor=actor, grid_id=grid_id)
    before = {"name": grid.name}
    grid.name = name
    await _flush_unique(session)
    audit.record(
        session,
        actor=actor,
        action="update",
        object_type="grid",
        object_id=grid.id,
        changes=audit.diff(before, {"name": name}),
    )
    return grid
