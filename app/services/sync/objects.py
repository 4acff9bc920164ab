"""`include=object` on the change feed (issue 12 item 8): each entry's current object, loaded
per page in one query per object type, so an offline client syncs a page in one request
instead of one read per object. Exactly what the reader's own reads would answer: scoped,
and the dashboard's hazards as overview rows; objects it may not read are left out (null).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.enterprise import Enterprise
from app.models.hazard import Hazard
from app.models.inspection import Inspection
from app.rules.calendar import today_in_shanghai
from app.services.hazards import queries as hazard_queries
from app.services.inspections.queries import shape_many
from app.services.policy import (
    Actor,
    Permission,
    enterprise_scope,
    hazard_read_scope,
    scope_by_enterprise,
)
from app.services.sync.feed import FeedEntry
from app.services.sync.permit_objects import permit_objects


def _ids(entries: Sequence[FeedEntry], kind: str) -> set[uuid.UUID]:
    return {e.object_id for e in entries if e.object_type == kind and e.op != "removed"}


async def _hazards(
    session: AsyncSession, actor: Actor, ids: set[uuid.UUID]
) -> tuple[dict[uuid.UUID, dict[str, Any]], bool]:
    if not ids or not (actor.can(Permission.HAZARD_READ) or actor.can(Permission.HAZARD_OVERVIEW)):
        return {}, False
    rows = list(
        await session.scalars(
            select(Hazard).where(Hazard.id.in_(ids), hazard_read_scope(actor, Hazard.enterprise_id))
        )
    )
    photos = await hazard_queries.photo_map(session, [h.id for h in rows])
    today = today_in_shanghai()
    shaped = [hazard_queries.shape(h, photos.get(h.id, []), today) for h in rows]
    out, overview = await hazard_queries.for_reader(session, actor, shaped)
    return {row["id"]: row for row in out}, overview


async def current_objects(
    session: AsyncSession, *, actor: Actor, entries: Sequence[FeedEntry]
) -> tuple[dict[uuid.UUID, Any], bool]:
    """Object id → its current object; and whether hazards are the dashboard's overview."""
    found, overview = await _hazards(session, actor, _ids(entries, "hazard"))
    objects: dict[uuid.UUID, Any] = dict(found)
    ent_ids = _ids(entries, "enterprise")
    if ent_ids and actor.can(Permission.ENTERPRISE_READ):
        stmt = select(Enterprise).where(Enterprise.id.in_(ent_ids), enterprise_scope(actor))
        objects.update({e.id: e for e in await session.scalars(stmt)})
    insp_ids = _ids(entries, "inspection")
    if insp_ids and actor.can(Permission.INSPECTION_READ):
        stmt2 = select(Inspection).where(
            Inspection.id.in_(insp_ids), scope_by_enterprise(actor, Inspection.enterprise_id)
        )
        shaped = await shape_many(session, list(await session.scalars(stmt2)))
        objects.update({i["id"]: i for i in shaped})
    objects.update(await permit_objects(session, actor=actor, entries=entries))
    return objects, overview
