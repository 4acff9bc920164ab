"""`include=object` for permits, confined spaces and a permit's site records (issue 15): one
query per object type per page, in the permit routes' scope (an enterprise head only theirs,
grid staff their grids); objects outside it are left out."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.permit import ConfinedSpace, Permit
from app.models.permit_records import (
    EntryLog,
    GasTest,
    PermitInterruption,
    PermitMeasure,
    PermitPerson,
    VentilationRecord,
)
from app.services.permits.queries import shaped
from app.services.policy import Actor, Permission, scope_by_enterprise
from app.services.sync.feed import FeedEntry

RECORD_MODELS: dict[str, type[Any]] = {
    "permit_person": PermitPerson,
    "permit_measure": PermitMeasure,
    "permit_ventilation": VentilationRecord,
    "permit_gas_test": GasTest,
    "permit_interruption": PermitInterruption,
    "permit_entry": EntryLog,
}


def _ids(entries: Sequence[FeedEntry], kind: str) -> set[uuid.UUID]:
    return {e.object_id for e in entries if e.object_type == kind and e.op != "removed"}


async def permit_objects(
    session: AsyncSession, *, actor: Actor, entries: Sequence[FeedEntry]
) -> dict[uuid.UUID, Any]:
    if not actor.can(Permission.PERMIT_READ):
        return {}
    out: dict[uuid.UUID, Any] = {}
    if ids := _ids(entries, "permit"):
        stmt = select(Permit).where(
            Permit.id.in_(ids), scope_by_enterprise(actor, Permit.enterprise_id)
        )
        out.update({p.id: shaped(p) for p in await session.scalars(stmt)})
    if ids := _ids(entries, "confined_space"):
        stmt2 = select(ConfinedSpace).where(
            ConfinedSpace.id.in_(ids), scope_by_enterprise(actor, ConfinedSpace.enterprise_id)
        )
        out.update({s.id: s for s in await session.scalars(stmt2)})
    for kind, model in RECORD_MODELS.items():
        if ids := _ids(entries, kind):
            stmt3 = (
                select(model)
                .join(Permit, Permit.id == model.permit_id)
                .where(model.id.in_(ids), scope_by_enterprise(actor, Permit.enterprise_id))
            )
            out.update({r.id: r for r in await session.scalars(stmt3)})
    return out
