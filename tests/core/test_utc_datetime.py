"""Every datetime read back is aware and in UTC, on both databases, whether the driver
converts (SQLite: naive text) or the type skips converting (asyncpg: binary `timestamptz`,
issue 11) — and whatever zone the PostgreSQL session is set to."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.user import AuthSession
from tests.conftest import World

SHANGHAI = timezone(timedelta(hours=8))


async def _stored(db: AsyncSession, world: World) -> tuple[uuid.UUID, datetime]:
    user_id = world.users["office"]
    at = datetime(2026, 1, 1, 7, 30, 15, 123456, tzinfo=SHANGHAI)  # 2025-12-31 23:30:15 UTC
    sid = uuid.uuid4()
    db.add(AuthSession(id=sid, user_id=user_id, revoked_at=at))
    await db.commit()
    return sid, at


@pytest.mark.parametrize("zone", [None, "Asia/Shanghai", "America/Los_Angeles"])
async def test_datetimes_come_back_aware_utc(
    db: AsyncSession, world: World, zone: str | None
) -> None:
    if zone and db.bind.dialect.name != "postgresql":
        pytest.skip("a session time zone is PostgreSQL's")
    sid, at = await _stored(db, world)
    if zone:
        await db.execute(text(f"SET TIME ZONE '{zone}'"))
    core = (await db.execute(select(AuthSession.revoked_at).where(AuthSession.id == sid))).scalar()
    orm = (
        await db.execute(
            select(AuthSession)
            .where(AuthSession.id == sid)
            .execution_options(populate_existing=True)
        )
    ).scalar_one()
    for value in (core, orm.revoked_at):
        assert value is not None
        assert value.tzinfo is UTC
        assert value == datetime(2025, 12, 31, 23, 30, 15, 123456, tzinfo=UTC) == at
    await db.rollback()
