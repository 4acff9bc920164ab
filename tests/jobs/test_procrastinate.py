"""PostgreSQL only, against the real procrastinate schema (revision 0014): the relay hands
each outbox row over exactly once however many relays run, a periodic task fires once per
tick with three workers, and a webhook event travels outbox → relay → worker → consumer."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from typing import Any

import httpx
import procrastinate
import psycopg
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.jobs.worker import build_app, conninfo, relay_once
from app.models.audit import OutboxEvent
from app.services import audit
from tests.conftest import World
from tests.jobs_helpers import runner_for

pytestmark = pytest.mark.skipif(
    os.environ.get("ZHIBEN_TEST_DB") != "postgres", reason="procrastinate runs on PostgreSQL"
)

CLEAN = """
DO $$ DECLARE r record; BEGIN
  FOR r IN SELECT tablename FROM pg_tables
           WHERE schemaname = current_schema() AND tablename LIKE 'procrastinate%' LOOP
    EXECUTE format('TRUNCATE %I CASCADE', r.tablename);
  END LOOP;
END $$;
"""


@pytest.fixture
async def queue_db(app_instance: Any) -> AsyncIterator[str]:
    url = app_instance.state.settings.database_url
    async with app_instance.state.engine.begin() as conn:
        await conn.execute(text(CLEAN))
    yield url
    async with app_instance.state.engine.begin() as conn:
        await conn.execute(text(CLEAN))


async def _count(db: AsyncSession, sql: str) -> Any:
    return (await db.execute(text(sql))).scalar_one()


async def test_concurrent_relays_never_defer_a_row_twice(queue_db: str, db: AsyncSession) -> None:
    for i in range(300):
        audit.emit(db, topic="test.event", object_type="test", object_id=str(i))
    await db.commit()
    app = build_app(queue_db, None)

    async def relay() -> int:
        total = 0
        async with await psycopg.AsyncConnection.connect(conninfo(queue_db)) as conn:
            while n := await relay_once(app, conn, batch=17):
                total += n
        return total

    async with app.open_async():
        counts = await asyncio.gather(*(relay() for _ in range(4)))
    assert sum(counts) == 300
    assert await _count(db, "SELECT count(*) FROM procrastinate_jobs") == 300
    distinct = "SELECT count(DISTINCT args->>'event_id') FROM procrastinate_jobs"
    assert await _count(db, distinct) == 300
    unsent = select(func.count()).select_from(OutboxEvent).where(OutboxEvent.sent_at.is_(None))
    assert await db.scalar(unsent) == 0
    statuses = set(await db.scalars(select(OutboxEvent.status)))
    assert statuses == {"relayed"}


async def test_relay_rolls_back_with_its_jobs(queue_db: str, db: AsyncSession) -> None:
    """Deferral and marking share one transaction: an error after deferring leaves both."""
    audit.emit(db, topic="test.event", object_type="test", object_id="1")
    await db.commit()
    app = build_app(queue_db, None)
    connect = psycopg.AsyncConnection.connect
    async with app.open_async(), await connect(conninfo(queue_db)) as conn:
        with contextlib.suppress(RuntimeError):
            async with conn.transaction():
                await relay_once(app, conn, batch=10)  # a nested savepoint
                raise RuntimeError("crash before commit")
    assert await _count(db, "SELECT count(*) FROM procrastinate_jobs") == 0
    assert await db.scalar(select(OutboxEvent.sent_at)) is None


async def test_three_workers_fire_a_periodic_task_once_per_tick(queue_db: str) -> None:
    fired: list[int] = []
    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=conninfo(queue_db)))

    @app.periodic(cron="* * * * * *")  # every second (the sixth column)
    @app.task(name="test.tick", pass_context=False)
    async def tick(timestamp: int) -> None:
        fired.append(timestamp)

    async with app.open_async():
        workers = [
            asyncio.create_task(
                app.run_worker_async(
                    name=f"w{i}", install_signal_handlers=False, fetch_job_polling_interval=0.1
                )
            )
            for i in range(3)
        ]
        await asyncio.sleep(4.5)
        for w in workers:
            w.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
    assert len(fired) >= 3
    assert len(fired) == len(set(fired))  # no tick ran twice


async def test_webhook_event_through_relay_and_worker(
    queue_db: str, client: httpx.AsyncClient, world: World, app_instance: Any
) -> None:
    resp = await client.post(
        "/api/v1/webhooks",
        json={"name": "大屏", "url": "https://hooks.example.com/z", "topics": ["test.*"]},
        headers=world.headers("office"),
    )
    assert resp.status_code == 201
    async with app_instance.state.sessionmaker() as db:
        audit.emit(db, topic="test.event", object_type="test", object_id="1")
        await db.commit()
    received: list[httpx.Request] = []

    def consumer(request: httpx.Request) -> httpx.Response:
        received.append(request)
        return httpx.Response(204)

    http = httpx.AsyncClient(transport=httpx.MockTransport(consumer))
    ctx = runner_for(app_instance, http_client=http).ctx
    app = build_app(queue_db, ctx)
    connect = psycopg.AsyncConnection.connect
    async with app.open_async(), await connect(conninfo(queue_db)) as conn:
        for _ in range(2):  # the event's fan-out job, then the delivery job it queued
            assert await relay_once(app, conn, batch=10) == 1
            # A webhooks-only worker, as a dedicated delivery host runs: a worker started at
            # :05-:15 past the hour also defers that hour's reminder scan (procrastinate's
            # 10-minute catch-up), whose notifications would join this test's rows.
            await app.run_worker_async(
                wait=False, install_signal_handlers=False, queues=["webhooks"]
            )
    [req] = received
    jobs_queues = "SELECT DISTINCT queue_name FROM procrastinate_jobs WHERE task_name LIKE 'w%'"
    async with app_instance.state.engine.connect() as conn:
        queues = (await conn.execute(text(jobs_queues))).scalars().all()
    assert queues == ["webhooks"]  # the tasks' registered queue, not the outbox's
    assert req.headers["webhook-id"] == req.headers["x-zhiben-event-id"]
