"""The payload of every `hazard.*` outbox event (webhooks; issue 12 item 8).

Everything a dashboard's overdue list needs, as of the event, without a read back: ledger
number, enterprise, grid, source, category, level, status, deadline, overdue, supervision.
Ids and codes only — never a name, phone, note or photo (brief §1: no personal data).
The schema clients see is `HazardEventPayload` (app/schemas/events.py).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import attributes

from app.models.enterprise import Enterprise
from app.models.hazard import Hazard
from app.rules.calendar import today_in_shanghai
from app.rules.overdue import is_overdue

_GRIDS = "hazard_events.grids"


def remember_grid(session: AsyncSession, enterprise_id: uuid.UUID, grid_id: uuid.UUID) -> None:
    """The grid of an enterprise read with a hazard it locks (issue 11: the event then needs
    no statement of its own). Kept with the transaction it was read in: a later transaction
    of the same session reads the grid again."""
    tx = session.sync_session.get_transaction()
    known: tuple[Any, dict[uuid.UUID, uuid.UUID]] | None = session.info.get(_GRIDS)
    if known is None or known[0] is not tx:
        known = session.info[_GRIDS] = (tx, {})
    known[1][enterprise_id] = grid_id


def _remembered(session: AsyncSession, enterprise_id: uuid.UUID) -> Any:
    known = session.info.get(_GRIDS)
    if known is None or known[0] is not session.sync_session.get_transaction():
        return None
    return known[1].get(enterprise_id)


async def _grid_of(session: AsyncSession, enterprise_id: uuid.UUID) -> Any:
    loaded = session.sync_session.identity_map.get(session.identity_key(Enterprise, enterprise_id))
    if loaded is not None and "grid_id" in attributes.instance_state(loaded).dict:
        return loaded.grid_id  # the enterprise as this transaction sees it, edits included
    if (grid := _remembered(session, enterprise_id)) is not None:
        return grid
    # No autoflush: a flush here would log one more change-feed row for the same write.
    with session.no_autoflush:
        return await session.scalar(
            select(Enterprise.grid_id).where(Enterprise.id == enterprise_id)
        )


async def hazard_payload(session: AsyncSession, hazard: Hazard, **extra: Any) -> dict[str, Any]:
    grid_id = await _grid_of(session, hazard.enterprise_id)
    return {
        "ledger_no": hazard.ledger_no,
        "enterprise_id": hazard.enterprise_id,
        "grid_id": grid_id,
        "source": hazard.source,
        "category": hazard.category,
        "level": hazard.level,
        "status": hazard.status,
        "deadline": hazard.deadline,
        "overdue": is_overdue(hazard.status, hazard.deadline, today_in_shanghai()),
        "supervised": bool(hazard.supervised),
        **extra,
    }
