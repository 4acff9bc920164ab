"""Automatic expiry of permits past their validity (permits.md §7), run by the jobs engine
with a frozen clock: through the transition engine (history, audit, outbox), once, however
many workers run at the same time."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import time_machine
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.audit import AuditLog, OutboxEvent
from app.models.permit import Permit, PermitHistory
from app.tasks.permits import expire_permits
from tests.api.permit_helpers import API, Crew, make_crew
from tests.conftest import World
from tests.jobs_helpers import runner_for


@pytest.fixture
async def crew(client: httpx.AsyncClient, world: World, db: AsyncSession) -> Crew:
    return await make_crew(client, world, db)


async def _run(app: Any) -> None:
    ctx = runner_for(app).ctx
    await expire_permits(ctx, timestamp=int(datetime.now(UTC).timestamp()))


async def _status(db: AsyncSession, pid: str) -> str:
    """Read from the database: the frozen clock is past the test tokens' lifetime."""
    db.expire_all()
    return str(await db.scalar(select(Permit.status).where(Permit.id == uuid.UUID(pid))))


async def _expiries(db: AsyncSession) -> int:
    db.expire_all()
    stmt = select(func.count()).where(PermitHistory.action == "expire")
    return int(await db.scalar(stmt) or 0)


async def _arrange(crew: Crew) -> dict[str, str]:
    space = await crew.space([])
    confined = await crew.approved("confined_space", confined_space_id=space)
    await crew.ready(confined)
    assert (await crew.act(confined, "start")).status_code == 200
    return {
        "confined": confined,  # active, 24 h (GB 30871-2022 6.10)
        "hot": await crew.approved("hot_work"),  # approved, level2, 72 h (5.1.5)
        "draft": str((await crew.permit("work_at_height", height={"height_m": 3}))["id"]),
    }


async def test_expiry_moves_due_permits_once_with_history_audit_and_event(
    crew: Crew, app_instance: Any, db: AsyncSession
) -> None:
    ids = await _arrange(crew)
    await _run(app_instance)  # nothing is due yet
    assert await _expiries(db) == 0
    with time_machine.travel(datetime.now(UTC) + timedelta(hours=25), tick=True):
        await _run(app_instance)
        await _run(app_instance)  # a second run finds nothing more
        assert await _status(db, ids["confined"]) == "expired"
        assert await _status(db, ids["hot"]) == "approved"
        assert await _expiries(db) == 1
    hist = await crew.client.get(
        f"{API}/permits/{ids['confined']}/history", headers=crew.h("head1")
    )
    last = hist.json()["items"][-1]
    assert (last["action"], last["from_status"], last["to_status"]) == (
        "expire",
        "active",
        "expired",
    )
    assert last["actor_role"] is None  # the system, not a person
    assert "4.16" in last["note"]
    audits = await db.scalar(
        select(func.count()).where(AuditLog.action == "expire", AuditLog.object_type == "permit")
    )
    assert audits == 1
    events = await db.scalar(select(func.count()).where(OutboxEvent.topic == "permit.expire"))
    assert events == 1
    with time_machine.travel(datetime.now(UTC) + timedelta(hours=73), tick=True):
        await _run(app_instance)
        assert await _status(db, ids["hot"]) == "expired"
    assert await _status(db, ids["draft"]) == "draft"  # a draft has nothing to expire
    assert await _expiries(db) == 2


async def test_two_workers_at_once_expire_each_permit_once(
    crew: Crew, app_instance: Any, db: AsyncSession
) -> None:
    pids = [await crew.approved("hot_work") for _ in range(3)]
    with time_machine.travel(datetime.now(UTC) + timedelta(hours=73), tick=True):
        await asyncio.gather(_run(app_instance), _run(app_instance))
        for pid in pids:
            assert await _status(db, pid) == "expired"
    assert await _expiries(db) == 3
