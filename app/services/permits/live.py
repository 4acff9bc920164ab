"""The supervisors' live view (issue 15): permits being worked now in the caller's
jurisdiction, with the enterprise's coordinates for a map. Two statements per page: the
permits (an index range on status) and their enterprises."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.enterprise import Enterprise
from app.models.permit import Permit, PermitStatus
from app.services.pagination import keyset_page
from app.services.policy import Actor, Permission, require_permission, scope_by_enterprise

LIVE_STATES = (PermitStatus.active.value, PermitStatus.suspended.value)


@dataclass(frozen=True)
class LiveFilters:
    type: str | None = None
    grade: str | None = None
    grid_id: uuid.UUID | None = None


async def live_permits(
    session: AsyncSession, *, actor: Actor, filters: LiveFilters, limit: int, cursor: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    require_permission(actor, Permission.PERMIT_LIVE)
    stmt = select(Permit).where(
        Permit.status.in_(LIVE_STATES), scope_by_enterprise(actor, Permit.enterprise_id)
    )
    if filters.type is not None:
        stmt = stmt.where(Permit.type == filters.type)
    if filters.grade is not None:
        stmt = stmt.where(Permit.grade == filters.grade)
    if filters.grid_id is not None:
        in_grid = select(Enterprise.id).where(Enterprise.grid_id == filters.grid_id)
        stmt = stmt.where(Permit.enterprise_id.in_(in_grid))
    permits, nxt = await keyset_page(session, stmt, order=[Permit.id], limit=limit, cursor=cursor)
    ids = {p.enterprise_id for p in permits}
    enterprises = (
        {e.id: e for e in await session.scalars(select(Enterprise).where(Enterprise.id.in_(ids)))}
        if ids
        else {}
    )
    now = datetime.now(UTC)
    return [_item(p, enterprises[p.enterprise_id], now) for p in permits], nxt


def _item(p: Permit, e: Enterprise, now: datetime) -> dict[str, Any]:
    return {
        "id": p.id,
        "permit_no": p.permit_no,
        "type": p.type,
        "grade": p.grade,
        "status": p.status,
        "valid_to": p.valid_to,
        "past_validity": now > p.valid_to,
        "requires_review": p.requires_review,
        "started_at": p.started_at,
        "enterprise": {
            "id": e.id,
            "name": e.name,
            "grid_id": e.grid_id,
            "latitude": e.latitude,
            "longitude": e.longitude,
        },
    }
