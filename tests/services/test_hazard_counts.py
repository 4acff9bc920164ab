"""The `hazard_counts` rollup (issue 6) stays equal to a GROUP BY over the hazards."""

from __future__ import annotations

import asyncio
import importlib.util
import os
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.models.hazard import Hazard
from app.models.hazard_counts import HazardCount
from app.services.hazard_counts import BACKFILL_SQL
from tests.api.hazard_helpers import (
    PLAN_GENERAL,
    PLAN_MAJOR,
    act,
    major,
    new_hazard,
    to_pending,
    tomorrow,
)
from tests.api.public_helpers import new_report
from tests.conftest import World

MIGRATION = Path(__file__).parents[2] / "alembic/versions/20261128_0009_hazard_counts.py"

Cells = dict[tuple[str, str, str, str, str], int]


async def rollup(db: AsyncSession) -> Cells:
    db.expire_all()
    rows = await db.execute(select(HazardCount).where(HazardCount.n != 0))
    return {
        (str(c.enterprise_id), c.status, c.level, c.source, c.category): c.n for c in rows.scalars()
    }


async def ledger(db: AsyncSession) -> Cells:
    dims = (Hazard.enterprise_id, Hazard.status, Hazard.level, Hazard.source, Hazard.category)
    rows = await db.execute(select(*dims, func.count()).group_by(*dims))
    return {(str(e), s, lv, src, c): int(n) for e, s, lv, src, c, n in rows}


async def _mixed_sequence(client: httpx.AsyncClient, world: World, settings: Settings) -> None:
    # Closed (verify pass), back to rectifying (verify fail), voided, downgraded, left open.
    closed = await new_hazard(client, world, "grid1")
    await to_pending(client, world, "head1", closed, PLAN_GENERAL)
    r = await act(client, world, "grid1", closed["id"], "verify", {"passed": True})
    assert r.json()["status"] == "closed"
    failed = await new_hazard(client, world, "head2", "E2", category="fire")
    await to_pending(client, world, "head2", failed, PLAN_GENERAL)
    r = await act(client, world, "head2", failed["id"], "verify", {"passed": False, "note": "未改"})
    assert r.json()["status"] == "rectifying", r.text
    voided = await new_hazard(client, world, "office", "E2")
    r = await act(client, world, "office", voided["id"], "void", {"reason": "重复登记"})
    assert r.json()["status"] == "voided"
    down = await major(client, world)
    r = await act(client, world, "office", down["id"], "downgrade", {"reason": "复核一般"})
    assert r.json()["level"] == "general"
    kept_major = await major(client, world, "E2")
    await to_pending(client, world, "head2", kept_major, PLAN_MAJOR)
    # An inspection's failed items become major hazards (issue 3).
    responses = [
        {"item_code": "7.1", "result": "fail", "note": "休息室在浇注跨内"},
        {"item_code": "7.4", "result": "fail", "device_failed": True},
    ]
    body = {
        "enterprise_id": str(world.enterprises["E1"]),
        "kind": "self_check",
        "started_at": "2026-11-20T09:00:00+08:00",
        "responses": responses,
    }
    r = await client.post("/api/v1/inspections", json=body, headers=world.headers("head1"))
    assert r.status_code == 201, r.text
    # A public report accepted into the ledger.
    settings.public_report_limit = "1000/hour"
    report = await new_report(client, world.headers("office"))
    triage = {
        "decision": "accept",
        "enterprise_id": str(world.enterprises["E1"]),
        "category": "management",
    }
    r = await client.post(
        f"/api/v1/reports/{report['id']}/triage", json=triage, headers=world.headers("office")
    )
    assert r.status_code == 200, r.text


async def test_rollup_follows_every_write_path(
    client: httpx.AsyncClient, db: AsyncSession, world: World, settings: Settings
) -> None:
    await _mixed_sequence(client, world, settings)
    expected = await ledger(db)
    assert sum(expected.values()) == 8
    assert {k[1] for k in expected} >= {"closed", "rectifying", "voided", "reported"}
    assert await rollup(db) == expected
    # Cells a hazard left are kept at 0, not deleted (a concurrent writer may need them).
    left = await db.scalar(select(func.count()).where(HazardCount.n == 0))
    assert left


async def test_orm_write_on_an_expired_object_moves_the_count(
    client: httpx.AsyncClient, db: AsyncSession, world: World
) -> None:
    h = await new_hazard(client, world, "grid1")
    hazard = await db.get(Hazard, uuid.UUID(h["id"]))
    assert hazard is not None
    db.expire(hazard)  # the old status must still be found (active history)
    hazard.status = "rectifying"
    hazard.category = "fire"
    await db.commit()
    assert await rollup(db) == await ledger(db)
    assert set((await rollup(db)).values()) == {1}


def _migration_backfill() -> str:
    spec = importlib.util.spec_from_file_location("m0009", MIGRATION)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sql: str = module.BACKFILL
    return sql


@pytest.mark.parametrize("sql", [_migration_backfill(), BACKFILL_SQL], ids=["migration", "app"])
async def test_backfill_equals_the_ledger(
    client: httpx.AsyncClient, db: AsyncSession, world: World, settings: Settings, sql: str
) -> None:
    await _mixed_sequence(client, world, settings)
    await db.execute(delete(HazardCount))
    await db.commit()
    assert await rollup(db) == {}
    await db.execute(text(sql))
    await db.commit()
    assert await rollup(db) == await ledger(db) != {}


async def _race(client: httpx.AsyncClient, world: World, i: int) -> list[int]:
    """One client: creates, then transitions that conflict with another client's."""
    ent, head, staff = ("E1", "head1", "grid1") if i % 2 else ("E2", "head2", "grid2")
    h = await new_hazard(client, world, staff, ent, category=("fire", "electrical")[i % 2])
    plan = {**PLAN_GENERAL, "deadline": tomorrow()}
    a, b = await asyncio.gather(
        act(client, world, head, h["id"], "plan", plan),
        act(client, world, "office", h["id"], "void", {"reason": "并发"}),
    )
    out = [a.status_code, b.status_code]
    if a.status_code == 200:
        c, d = await asyncio.gather(
            act(client, world, head, h["id"], "submit", {"evidence": "e"}),
            act(client, world, "office", h["id"], "void", {"reason": "并发"}),
        )
        out += [c.status_code, d.status_code]
    return out


@pytest.mark.skipif(
    os.environ.get("ZHIBEN_TEST_DB") != "postgres", reason="row-lock concurrency: PostgreSQL only"
)
async def test_concurrent_writers_leave_no_drift(
    client: httpx.AsyncClient, db: AsyncSession, world: World
) -> None:
    for _ in range(2):
        results: list[Any] = await asyncio.gather(
            *(_race(client, world, i) for i in range(12)), return_exceptions=True
        )
        errors = [r for r in results if isinstance(r, BaseException)]
        assert not errors, errors  # a deadlock would surface here or as a 5xx below
        codes = {c for r in results for c in r}
        assert codes <= {200, 409, 412}, codes
        assert 200 in codes
    expected = await ledger(db)
    assert sum(expected.values()) == 24
    assert await rollup(db) == expected
