"""Upkeep of the idempotency records (brief §4): they are replayable for a day, then go."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.idempotency import expiry_cutoff
from app.models.audit import IdempotencyRecord


async def purge_expired(
    session: AsyncSession, *, ttl_hours: int, now: datetime | None = None
) -> int:
    """Delete records older than the replay window; the number deleted. Flushes only."""
    result = await session.execute(
        delete(IdempotencyRecord).where(
            IdempotencyRecord.created_at < expiry_cutoff(ttl_hours, now)
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)
