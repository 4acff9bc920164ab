"""The payload of every `hazard.*` outbox event (webhooks; issue 12 item 8).

Everything a dashboard's overdue list needs, as of the event, without a read back: ledger
number, enterprise, grid, source, category, level, status, deadline, overdue, supervision.
Ids and codes only — never a name, phone, note or photo (brief §1: no personal data).
The schema clients see is `HazardEventPayload` (app/schemas/events.py).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.enterprise import Enterprise
from app.models.hazard import Hazard
from app.rules.calendar import today_in_shanghai
from app.rules.overdue import is_overdue


async def hazard_payload(session: AsyncSession, hazard: Hazard, **extra: Any) -> dict[str, Any]:
    # No autoflush: a flush here would log one more change-feed row for the same write.
    with session.no_autoflush:
        grid_id = await session.scalar(
            select(Enterprise.grid_id).where(Enterprise.id == hazard.enterprise_id)
        )
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
