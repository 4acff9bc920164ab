"""Database errors mapped once (issue 10, finding 10), provoked on a real PostgreSQL.

Pool exhaustion, a statement timeout → 503 problem+json with `Retry-After`; a serialization
failure or deadlock → the request's whole transaction runs once more, then 503.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from app.core.config import Settings
from app.core.db import async_url, make_engine
from app.main import create_app
from tests.conftest import World, assert_problem

pytestmark = pytest.mark.skipif(
    os.environ.get("ZHIBEN_TEST_DB") != "postgres", reason="PostgreSQL only"
)

GRIDS = "/api/v1/grids"


@pytest.fixture
async def admin(settings: Settings) -> AsyncIterator[AsyncEngine]:
    """A connection of our own, outside the app's pool, to set the database up."""
    engine = create_async_engine(async_url(settings.database_url))
    yield engine
    await engine.dispose()


async def _client_for(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


async def test_pool_exhaustion_is_a_503_with_retry_after(settings: Settings, world: World) -> None:
    tight = settings.model_copy(
        update={"db_pool_size": 1, "db_max_overflow": 0, "db_pool_timeout_s": 0.3}
    )
    app = create_app(tight)
    try:
        async with app.state.engine.connect() as held:  # the only connection of the pool
            await held.execute(text("SELECT 1"))
            async with await _client_for(app) as client:
                resp = await client.get(GRIDS, headers=world.headers("office"))
        body = assert_problem(resp, 503, "service_unavailable")
        assert int(resp.headers["retry-after"]) >= 1
        assert "Timeout" not in str(body)  # no driver text for the client
    finally:
        await app.state.engine.dispose()


async def test_statement_timeout_is_a_503_with_retry_after(
    settings: Settings, world: World, admin: AsyncEngine
) -> None:
    app = create_app(settings.model_copy(update={"db_statement_timeout_ms": 300}))
    try:
        async with admin.connect() as locker:
            # Hold a lock the list must wait for, longer than the statement timeout.
            await locker.execute(text("LOCK TABLE grids IN ACCESS EXCLUSIVE MODE"))
            async with await _client_for(app) as client:
                resp = await client.get(GRIDS, headers=world.headers("office"))
            await locker.rollback()
        assert_problem(resp, 503, "service_unavailable")
        assert "retry-after" in resp.headers
    finally:
        await app.state.engine.dispose()


async def _fail_grid_inserts(admin: AsyncEngine, *, times: int) -> None:
    """A trigger raising SQLSTATE 40001 on the first `times` grid inserts. The counter is a
    sequence: `nextval` survives the rollback of the transaction it was called in."""
    async with admin.begin() as conn:
        await conn.execute(text("CREATE SEQUENCE test_conflicts"))
        await conn.execute(
            text(
                f"""
                CREATE FUNCTION test_conflict() RETURNS trigger AS $$
                BEGIN
                  IF nextval('test_conflicts') <= {times} THEN
                    RAISE EXCEPTION 'provoked' USING ERRCODE = '40001';
                  END IF;
                  RETURN NEW;
                END $$ LANGUAGE plpgsql
                """
            )
        )
        await conn.execute(
            text(
                "CREATE TRIGGER test_conflict BEFORE INSERT ON grids "
                "FOR EACH ROW EXECUTE FUNCTION test_conflict()"
            )
        )


async def _drop_conflicts(admin: AsyncEngine) -> int:
    async with admin.begin() as conn:
        calls = (await conn.execute(text("SELECT last_value FROM test_conflicts"))).scalar_one()
        await conn.execute(text("DROP TRIGGER test_conflict ON grids"))
        await conn.execute(text("DROP FUNCTION test_conflict()"))
        await conn.execute(text("DROP SEQUENCE test_conflicts"))
    return int(calls)


async def _grid_names(admin: AsyncEngine) -> list[str]:
    async with admin.connect() as conn:
        return list((await conn.execute(text("SELECT name FROM grids ORDER BY name"))).scalars())


async def test_a_serialization_failure_is_retried_once_with_the_same_body(
    client: httpx.AsyncClient, world: World, admin: AsyncEngine
) -> None:
    await _fail_grid_inserts(admin, times=1)
    try:
        resp = await client.post(GRIDS, json={"name": "重试网格"}, headers=world.headers("office"))
    finally:
        calls = await _drop_conflicts(admin)
    assert resp.status_code == 201, resp.text
    assert resp.json()["name"] == "重试网格"
    assert calls == 2  # the first attempt failed, the second stored it
    assert (await _grid_names(admin)).count("重试网格") == 1


async def test_a_second_serialization_failure_is_a_503(
    client: httpx.AsyncClient, world: World, admin: AsyncEngine
) -> None:
    await _fail_grid_inserts(admin, times=100)
    try:
        resp = await client.post(GRIDS, json={"name": "冲突网格"}, headers=world.headers("office"))
    finally:
        calls = await _drop_conflicts(admin)
    assert_problem(resp, 503, "transaction_conflict")
    assert resp.headers["retry-after"] == "1"
    assert calls == 2  # one retry, not more
    assert "冲突网格" not in await _grid_names(admin)


async def test_a_real_deadlock_is_retried(
    client: httpx.AsyncClient, world: World, admin: AsyncEngine
) -> None:
    """Two transactions lock two rows in opposite order: PostgreSQL aborts one (40P01).
    Here the request is the one holding G1 and asking for G2 while another session holds
    G2 and asks for G1; whichever PostgreSQL picks, the request ends 200."""
    g1, g2 = str(world.grids["G1"]), str(world.grids["G2"])
    async with admin.begin() as conn:
        await conn.execute(text("CREATE SEQUENCE test_deadlocks"))
        await conn.execute(
            text(
                """
                CREATE FUNCTION test_deadlock() RETURNS trigger AS $$
                BEGIN
                  IF NEW.name = '死锁甲' THEN
                    PERFORM nextval('test_deadlocks');
                    PERFORM 1 FROM grids WHERE id = NEW.id FOR UPDATE;
                    PERFORM pg_advisory_lock(4242);
                    PERFORM pg_advisory_unlock(4242);
                    PERFORM 1 FROM grids WHERE id = CAST(:g2 AS uuid) FOR UPDATE;
                  END IF;
                  RETURN NEW;
                END $$ LANGUAGE plpgsql
                """.replace(":g2", f"'{g2}'")
            )
        )
        await conn.execute(
            text(
                "CREATE TRIGGER test_deadlock BEFORE UPDATE ON grids "
                "FOR EACH ROW EXECUTE FUNCTION test_deadlock()"
            )
        )
    try:
        async with admin.connect() as other:
            # Hold G2 and the advisory lock: the request locks G1, then waits in the trigger.
            await other.execute(text("SELECT pg_advisory_lock(4242)"))
            await other.execute(text(f"SELECT 1 FROM grids WHERE id = '{g2}' FOR UPDATE"))
            request = asyncio.create_task(
                client.patch(
                    f"{GRIDS}/{g1}", json={"name": "死锁甲"}, headers=world.headers("office")
                )
            )
            await asyncio.sleep(0.5)
            await other.execute(text("SELECT pg_advisory_unlock(4242)"))
            await asyncio.sleep(0.2)
            # Now ask for G1, which the request holds: a cycle. If PostgreSQL picks this
            # side as the victim, the request simply goes on.
            with contextlib.suppress(DBAPIError):
                await other.execute(text(f"SELECT 1 FROM grids WHERE id = '{g1}' FOR UPDATE"))
            await other.rollback()
            resp = await asyncio.wait_for(request, 20)
    finally:
        async with admin.begin() as conn:
            runs = (await conn.execute(text("SELECT last_value FROM test_deadlocks"))).scalar()
            await conn.execute(text("DROP TRIGGER test_deadlock ON grids"))
            await conn.execute(text("DROP FUNCTION test_deadlock()"))
            await conn.execute(text("DROP SEQUENCE test_deadlocks"))
    assert resp.status_code == 200, resp.text
    assert resp.json()["name"] == "死锁甲"
    print(f"deadlock test: the request's transaction ran {runs} time(s)")  # noqa: T201


async def test_jit_is_off_for_the_apps_connections_unless_asked_for(settings: Settings) -> None:
    """A mis-estimated count compiled by the JIT took 0.8 s (bench/README.md "Issue 11")."""
    for wanted, shown in ((False, "off"), (True, "on")):
        engine = make_engine(settings.model_copy(update={"db_jit": wanted}))
        try:
            async with engine.connect() as conn:
                assert (await conn.execute(text("SHOW jit"))).scalar() == shown
        finally:
            await engine.dispose()
