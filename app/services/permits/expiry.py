"""Automatic expiry (permits.md §7): a permit past `valid_to` that was approved, active or
suspended becomes `expired` through the transition engine — history, audit and outbox event
as for any other step. Continuing the work needs a new permit (GB 30871-2022 4.16)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import Conflict
from app.models.permit import Permit
from app.services.permits.machine import PERMITS
from app.services.workflow import transition

NOTE = "作业票超过有效期，系统自动过期；继续作业须重新办理（GB 30871-2022 4.16）"
EXPIRABLE = sorted(PERMITS.steps["expire"].sources)


async def expire_batch(
    session: AsyncSession, *, now: datetime, limit: int = 100
) -> list[uuid.UUID]:
    """Expire up to `limit` due permits in the caller's transaction; their ids.

    Two workers at once: on PostgreSQL each skips the rows the other holds and a row it
    locks after the other committed no longer matches the status filter. SQLite takes no
    row locks: the loser's update fails the permit's version check and is skipped.
    Either way a permit expires once, and a second run finds nothing."""
    stmt = (
        select(Permit)
        .where(Permit.status.in_(EXPIRABLE), Permit.valid_to <= now)
        .order_by(Permit.valid_to, Permit.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    done = []
    for permit in list(await session.scalars(stmt)):
        try:
            async with session.begin_nested():
                await transition(
                    session,
                    machine=PERMITS,
                    obj=permit,
                    actor=None,
                    action="expire",
                    data={"valid_to": permit.valid_to},
                    note=NOTE,
                    payload={"enterprise_id": permit.enterprise_id, "type": permit.type},
                )
        except Conflict:  # SQLite: the other worker's version won (the permit's version check)
            continue
        done.append(permit.id)
    return done
