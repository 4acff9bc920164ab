"""`principal_check_months` (issue 11, migration 0023) stays equal to a count from scratch over
the inspections: after API creates (replays included, concurrent), after ORM changes and
deletes, after a rollback, and when rebuilt by either copy of the backfill SQL. The Shanghai
month rule exists three times (the flush hook in Python, the migration's SQL, the app's
backfill SQL): each is checked at the year and month boundaries against values written here.
"""

from __future__ import annotations

import asyncio
import importlib.util
import random
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import event, select, text
from sqlalchemy.engine.default import CACHE_HIT
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.enterprise import Enterprise
from app.models.inspection import Inspection
from app.services.inspection_counts import backfill_sql
from tests.conftest import World

URL = "/api/v1/inspections"
MIGRATION = Path(__file__).parents[2] / "alembic/versions/20261201_0023_principal_check_months.py"
QUIZ = [{"person": "操作工李四", "question": "粉尘清理制度是什么？", "passed": True}]
SHANGHAI = ZoneInfo("Asia/Shanghai")
# (instant, expected (Shanghai year, month)): the boundaries of a year and of a month.
BOUNDARIES = [
    ("2025-12-31T15:59:59+00:00", (2025, 12)),
    ("2025-12-31T16:00:00+00:00", (2026, 1)),
    ("2026-03-31T23:59:59+08:00", (2026, 3)),
    ("2026-04-01T00:00:00+08:00", (2026, 4)),
    ("2026-02-28T16:00:00Z", (2026, 3)),
]

Cells = dict[tuple[int, str, int], int]


async def rollup(db: AsyncSession) -> Cells:
    rows = await db.execute(
        text("SELECT year, enterprise_id, month, n FROM principal_check_months WHERE n <> 0")
    )
    return {(y, str(uuid.UUID(str(e))), m): n for y, e, m, n in rows}


async def recount(db: AsyncSession) -> Cells:
    """From scratch, with this test's own month rule (zoneinfo, not the app's helper)."""
    rows = await db.execute(
        select(Inspection.enterprise_id, Inspection.started_at).where(
            Inspection.kind == "principal_check"
        )
    )
    out: Counter[tuple[int, str, int]] = Counter()
    for eid, started in rows:
        local = (started if started.tzinfo else started.replace(tzinfo=UTC)).astimezone(SHANGHAI)
        out[(local.year, str(eid), local.month)] += 1
    return dict(out)


async def _heads(db: AsyncSession, world: World) -> None:
    for name, person in (("E1", "张三"), ("E2", "李四")):
        ent = await db.get(Enterprise, world.enterprises[name])
        assert ent is not None
        ent.principal_name = person
    await db.commit()


def _body(world: World, ent: str, started_at: str, kind: str = "principal_check", **kw: Any) -> Any:
    quiz = QUIZ if kind == "principal_check" else []
    return {
        "enterprise_id": str(world.enterprises[ent]),
        "kind": kind,
        "started_at": started_at,
        "quiz": quiz,
        **kw,
    }


async def _post(client: httpx.AsyncClient, world: World, ent: str, payload: Any) -> int:
    who = "head1" if ent == "E1" else "head2"
    resp = await client.post(URL, json=payload, headers=world.headers(who))
    assert resp.status_code in (200, 201), resp.text
    return resp.status_code


async def test_api_creates_count_by_shanghai_month(
    client: httpx.AsyncClient, db: AsyncSession, world: World
) -> None:
    await _heads(db, world)
    e1 = str(world.enterprises["E1"])
    for instant, _ in BOUNDARIES:
        await _post(client, world, "E1", _body(world, "E1", instant))
    await _post(client, world, "E1", _body(world, "E1", "2026-04-01T00:00:00+08:00", "self_check"))
    replayed = _body(world, "E1", "2026-04-02T09:00:00+08:00", id=str(uuid.uuid4()))
    assert await _post(client, world, "E1", replayed) == 201
    assert await _post(client, world, "E1", replayed) == 200  # the same create: no new count
    expected = {
        (2025, e1, 12): 1,
        (2026, e1, 1): 1,
        (2026, e1, 3): 2,
        (2026, e1, 4): 2,
    }
    assert await rollup(db) == expected
    assert await recount(db) == expected


def _migration_backfill(dialect: str) -> str:
    spec = importlib.util.spec_from_file_location("m0023", MIGRATION)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sql: str = module.backfill(dialect)
    return sql


@pytest.mark.parametrize("source", ["migration", "app"])
async def test_backfill_counts_by_shanghai_month(
    client: httpx.AsyncClient, db: AsyncSession, world: World, source: str
) -> None:
    await _heads(db, world)
    e1, e2 = str(world.enterprises["E1"]), str(world.enterprises["E2"])
    for instant, _ in BOUNDARIES:
        await _post(client, world, "E1", _body(world, "E1", instant))
    await _post(client, world, "E2", _body(world, "E2", "2026-01-15T12:00:00+08:00"))
    await _post(client, world, "E2", _body(world, "E2", "2026-01-15T12:00:00+08:00", "self_check"))
    await db.execute(text("DELETE FROM principal_check_months"))
    dialect = db.get_bind().dialect.name
    sql = _migration_backfill(dialect) if source == "migration" else backfill_sql(dialect)
    await db.execute(text(sql))
    await db.commit()
    assert await rollup(db) == {
        (2025, e1, 12): 1,
        (2026, e1, 1): 1,
        (2026, e1, 3): 2,
        (2026, e1, 4): 1,
        (2026, e2, 1): 1,
    }


async def test_orm_changes_deletes_and_rollbacks(
    client: httpx.AsyncClient, db: AsyncSession, world: World
) -> None:
    """The API only creates inspections; any later write path goes through these hooks."""
    await _heads(db, world)
    for instant, _ in BOUNDARIES:
        await _post(client, world, "E1", _body(world, "E1", instant))
    await _post(client, world, "E2", _body(world, "E2", "2026-06-01T08:00:00+08:00", "self_check"))
    rows = list(await db.scalars(select(Inspection).order_by(Inspection.started_at)))
    a, b, c, d, e, f = rows
    a.started_at = datetime(2025, 12, 31, 16, 0, tzinfo=UTC)  # Dec 2025 → Jan 2026
    b.kind = "grid_patrol"  # leaves the rollup
    f.kind = "principal_check"  # enters it
    await db.commit()
    assert await rollup(db) == await recount(db)
    c.enterprise_id = world.enterprises["E2"]
    await db.delete(d)
    await db.commit()
    assert await rollup(db) == await recount(db)
    e.started_at = e.started_at + timedelta(days=40)
    await db.flush()
    await db.rollback()  # a failed request: nothing of it stays in the rollup
    assert await rollup(db) == await recount(db)
    assert sum((await rollup(db)).values()) == 4


async def _writer(client: httpx.AsyncClient, world: World, seed: int) -> list[int]:
    rng = random.Random(seed)
    codes = []
    for _ in range(4):
        ent = rng.choice(("E1", "E2"))
        start = datetime(2025, 12, 20, tzinfo=UTC) + timedelta(hours=rng.randrange(0, 24 * 120))
        kind = rng.choice(("principal_check", "principal_check", "self_check"))
        payload = _body(world, ent, start.isoformat(), kind, id=str(uuid.uuid4()))
        codes.append(await _post(client, world, ent, payload))
        if rng.random() < 0.3:  # an offline re-send of the same create
            codes.append(await _post(client, world, ent, payload))
    return codes


async def test_concurrent_creates_leave_no_drift(
    client: httpx.AsyncClient, db: AsyncSession, world: World
) -> None:
    await _heads(db, world)
    results = await asyncio.gather(
        *(_writer(client, world, seed) for seed in range(8)), return_exceptions=True
    )
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors
    expected = await recount(db)
    assert sum(expected.values()) > 0
    assert await rollup(db) == expected


async def test_rollup_upsert_is_compiled_once(
    client: httpx.AsyncClient, db: AsyncSession, world: World, app_instance: Any
) -> None:
    """The rollup's UPSERT comes from the engine's compiled cache once warm (a statement
    with its rows inlined would be compiled on every create: tests/perf has the same check
    for the hazard rollups)."""
    await _heads(db, world)
    for day in ("2026-03-02", "2026-03-03"):
        await _post(client, world, "E1", _body(world, "E1", f"{day}T09:00:00+08:00"))
    seen: list[Any] = []

    def check(_c: Any, _cur: Any, sql: str, _p: Any, context: Any, _many: Any) -> None:
        if "principal_check_months" in sql:
            seen.append(context.cache_hit)

    engine = app_instance.state.engine.sync_engine
    event.listen(engine, "after_cursor_execute", check)
    try:
        await _post(client, world, "E1", _body(world, "E1", "2026-03-04T09:00:00+08:00"))
    finally:
        event.remove(engine, "after_cursor_execute", check)
    assert seen == [CACHE_HIT]
