"""The hazard rollups (issues 6 and 11) stay equal to a count from scratch over the ledger,
after every kind of write: through the API, on the ORM directly (expired objects, deletes,
enterprise moves in the same flush as hazard changes), random sequences, and concurrency."""

from __future__ import annotations

import asyncio
import importlib.util
import math
import os
import random
import uuid
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import func, literal, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.models.base import Base
from app.models.enterprise import Enterprise
from app.models.grid import Grid
from app.models.hazard import Hazard
from app.services.hazard_counts import backfill_sql
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

MIGRATION = Path(__file__).parents[2] / "alembic/versions/20261201_0018_hazard_rollups.py"
TABLES = {
    "hazard_tallies": "grid_id, sector, status, level",
    "hazard_facets": "grid_id, facet, value",
    "hazard_deadlines": "grid_id, sector, status, level, deadline",
    "hazard_deadline_months": "grid_id, sector, status, level, deadline",
    "hazard_closings": "grid_id, closed_on",
    "hazard_close_spans": "grid_id, level, span_days",
}
SHANGHAI = ZoneInfo("Asia/Shanghai")

Cells = dict[str, dict[tuple[str, ...], int]]


def _key(values: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in values)


async def rollup(db: AsyncSession) -> Cells:
    db.expire_all()
    out: Cells = {}
    for name, keys in TABLES.items():
        table = Base.metadata.tables[name]
        cols = [table.c[k.strip()] for k in keys.split(",")]
        rows = await db.execute(select(*cols, table.c.n).where(table.c.n != 0))
        out[name] = {_key(r[:-1]): int(r[-1]) for r in rows}
    return out


def _aware(t: datetime) -> datetime:
    return t if t.tzinfo else t.replace(tzinfo=UTC)


async def ledger(db: AsyncSession) -> Cells:
    """What each rollup must hold, counted here from the hazards and their enterprises."""
    db.expire_all()
    h = Hazard
    cols = (h.status, h.level, h.source, h.category, h.deadline, h.found_at, h.closed_at)
    stmt = select(*cols, Enterprise.grid_id, Enterprise.sector).join(
        Enterprise, Enterprise.id == h.enterprise_id
    )
    out: dict[str, Counter[tuple[str, ...]]] = {t: Counter() for t in TABLES}
    for status, level, source, category, deadline, found, closed, grid, sector in await db.execute(
        stmt
    ):
        out["hazard_tallies"][_key((grid, sector, status, level))] += 1
        out["hazard_facets"][_key((grid, "source", source))] += 1
        out["hazard_facets"][_key((grid, "category", category))] += 1
        if status in ("reported", "rectifying") and deadline is not None:
            out["hazard_deadlines"][_key((grid, sector, status, level, deadline))] += 1
            month = date(deadline.year, deadline.month, 1)
            out["hazard_deadline_months"][_key((grid, sector, status, level, month))] += 1
        if status == "closed" and closed is not None:
            closed = _aware(closed)
            day = closed.astimezone(SHANGHAI).date()
            span = math.floor((closed - _aware(found)).total_seconds() / 86400)
            out["hazard_closings"][_key((grid, day))] += 1
            out["hazard_close_spans"][_key((grid, level, span))] += 1
    return {t: dict(c) for t, c in out.items()}


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
    assert sum(expected["hazard_tallies"].values()) == 8
    assert {k[2] for k in expected["hazard_tallies"]} >= {"closed", "rectifying", "voided"}
    assert expected["hazard_closings"]
    assert expected["hazard_deadlines"]
    assert await rollup(db) == expected
    # Cells a hazard left are kept at 0, not deleted (a concurrent writer may need them).
    assert await db.scalar(text("SELECT count(*) FROM hazard_tallies WHERE n = 0"))


async def test_enterprise_move_through_the_api_moves_its_hazards(
    client: httpx.AsyncClient, db: AsyncSession, world: World, settings: Settings
) -> None:
    await _mixed_sequence(client, world, settings)
    ent = world.enterprises["E1"]
    body = {"grid_id": str(world.grids["G2"]), "sector": "textile"}
    r = await client.patch(f"/api/v1/enterprises/{ent}", json=body, headers=world.headers("office"))
    assert r.status_code == 200, r.text
    got = await rollup(db)
    assert got == await ledger(db)
    # Everything now sits in G2 (both enterprises); E1's hazards count as textile.
    assert {k[0] for k in got["hazard_tallies"]} == {str(world.grids["G2"])}
    assert any(k[1] == "textile" for k in got["hazard_tallies"])


async def test_orm_write_on_an_expired_object_moves_the_count(
    client: httpx.AsyncClient, db: AsyncSession, world: World
) -> None:
    h = await new_hazard(client, world, "grid1")
    hazard = await db.get(Hazard, uuid.UUID(h["id"]))
    assert hazard is not None
    db.expire(hazard)  # the old status must still be found
    hazard.status = "rectifying"
    hazard.category = "fire"
    hazard.deadline = date(2026, 1, 5)
    await db.commit()
    got = await rollup(db)
    assert got == await ledger(db)
    assert [k[2:] for k in got["hazard_deadlines"]] == [("rectifying", "general", "2026-01-05")]


async def test_sql_expression_assigned_is_read_back(
    client: httpx.AsyncClient, db: AsyncSession, world: World
) -> None:
    """A value assigned as SQL is only known after the flush: the hook reads that hazard back
    rather than counting it from the object."""
    h = await new_hazard(client, world, "grid1")
    hazard = await db.get(Hazard, uuid.UUID(h["id"]))
    assert hazard is not None
    hazard.level = literal("major")  # type: ignore[assignment]
    hazard.status = "rectifying"
    await db.commit()
    got = await rollup(db)
    assert got == await ledger(db)
    assert [k[2:] for k in got["hazard_tallies"]] == [("rectifying", "major")]


def _hazard(ent: uuid.UUID, rng: random.Random, n: int) -> Hazard:
    found = datetime(2026, 3, 1, tzinfo=UTC) + timedelta(minutes=rng.randrange(200_000))
    return Hazard(
        ledger_no=f"T-{uuid.uuid4().hex[:12]}-{n}",
        enterprise_id=ent,
        source=rng.choice(["self_check", "grid_patrol", "public_report"]),
        description="随机",
        category=rng.choice(["fire", "electrical", "dust"]),
        level=rng.choice(["general", "major"]),
        status="reported",
        found_at=found,
    )


def _mutate(h: Hazard, rng: random.Random) -> None:
    """One random change of a hazard's counted columns."""
    what = rng.randrange(5)
    if what == 0:
        h.status = rng.choice(["reported", "rectifying", "pending_verification", "voided"])
    elif what == 1:
        h.level = "major" if h.level == "general" else "general"
    elif what == 2:
        h.deadline = date(2026, 1, 1) + timedelta(days=rng.randrange(400))
    elif what == 3:
        h.status = "closed"
        h.closed_at = h.found_at + timedelta(hours=rng.randrange(1, 2000), seconds=rng.random())
    else:
        h.category, h.source = rng.choice(["fire", "other"]), "enforcement"


async def _random_step(db: AsyncSession, rng: random.Random, ents: list[uuid.UUID], i: int) -> None:
    hazards = list((await db.scalars(select(Hazard))).all())
    op = rng.randrange(10)
    if op < 3 or not hazards:
        db.add(_hazard(rng.choice(ents), rng, i))
    elif op < 7:
        for h in rng.sample(hazards, min(len(hazards), rng.randrange(1, 3))):
            _mutate(h, rng)
    elif op == 7:
        await db.delete(rng.choice(hazards))
    else:  # an enterprise moves, sometimes with one of its hazards changing in the same flush
        ent = await db.get(Enterprise, rng.choice(ents))
        assert ent is not None
        grids = list((await db.scalars(select(Grid.id))).all())
        ent.grid_id = rng.choice(grids)
        ent.sector = rng.choice(["machinery", "textile", "tobacco"])
        mine = [h for h in hazards if h.enterprise_id == ent.id]
        if mine and rng.random() < 0.5:
            _mutate(rng.choice(mine), rng)
        if mine and rng.random() < 0.3:
            rng.choice(mine).enterprise_id = rng.choice(ents)


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_random_sequences_keep_the_rollups_exact(
    db: AsyncSession, world: World, seed: int
) -> None:
    rng = random.Random(seed)
    ents = list((await db.scalars(select(Enterprise.id))).all())
    for i in range(40):
        await _random_step(db, rng, ents, i)
        if rng.random() < 0.15:
            await db.rollback()  # a failed request: nothing of it may stay in the rollups
        else:
            await db.commit()
        if i % 5 == 4:
            assert await rollup(db) == await ledger(db), f"seed {seed}, step {i}"
    assert await rollup(db) == await ledger(db)


def _migration_backfill(dialect: str) -> list[str]:
    spec = importlib.util.spec_from_file_location("m0018", MIGRATION)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sql: list[str] = module.backfill(dialect)
    return sql


@pytest.mark.parametrize("source", ["migration", "app"])
async def test_backfill_equals_the_ledger(
    client: httpx.AsyncClient, db: AsyncSession, world: World, settings: Settings, source: str
) -> None:
    await _mixed_sequence(client, world, settings)
    dialect = db.get_bind().dialect.name
    for table in TABLES:
        await db.execute(text(f"DELETE FROM {table}"))
    await db.commit()
    assert all(not cells for cells in (await rollup(db)).values())
    sql = _migration_backfill(dialect) if source == "migration" else backfill_sql(dialect)
    for stmt in sql:
        await db.execute(text(stmt))
    await db.commit()
    expected = await ledger(db)
    assert expected["hazard_close_spans"]
    assert await rollup(db) == expected


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
    assert sum(expected["hazard_tallies"].values()) == 24
    assert await rollup(db) == expected
    assert await db.scalar(select(func.count()).select_from(Hazard)) == 24
