"""The transactional outbox on both databases: a write that schedules work leaves its job row
in the same transaction, a rolled-back one leaves none; the local runner's claim, retries,
dead state and periodic ticks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.jobs.registry import REGISTRY, RetryPolicy, TaskSpec
from app.models.audit import OutboxEvent
from app.services import audit, outbox
from tests.api.hazard_helpers import new_hazard
from tests.conftest import World
from tests.jobs_helpers import runner_for


async def _rows(db: AsyncSession) -> list[OutboxEvent]:
    db.expire_all()
    return list(await db.scalars(select(OutboxEvent).order_by(OutboxEvent.id)))


async def test_hazard_create_leaves_its_fan_out_job(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    hazard = await new_hazard(client, world, "grid1")
    [row] = [r for r in await _rows(db) if r.object_id == hazard["id"]]
    assert (row.topic, row.task, row.status) == ("hazard.created", "webhooks.fan_out", "pending")
    assert row.args == {"event_id": str(row.event_id)}
    assert row.sent_at is None


async def test_forced_rollback_leaves_no_job(db: AsyncSession) -> None:
    audit.emit(db, topic="test.event", object_type="test", object_id="1")
    outbox.enqueue(db, task="exports.render", args={"export_id": "x"})
    await db.flush()
    assert await db.scalar(select(func.count()).select_from(OutboxEvent)) == 2
    await db.rollback()
    assert await db.scalar(select(func.count()).select_from(OutboxEvent)) == 0


async def test_failed_request_leaves_no_job(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    """A hazard create refused after validation (unknown enterprise → 404) writes nothing."""
    body = {"enterprise_id": str(world.users["office"]), "description": "x", "category": "fire"}
    resp = await client.post("/api/v1/hazards", json=body, headers=world.headers("office"))
    assert resp.status_code in (404, 422)
    assert await _rows(db) == []


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


async def test_retry_policy_then_dead(app_instance: Any, db: AsyncSession) -> None:
    calls: list[int] = []

    async def flaky(_ctx: Any, *, n: int) -> None:
        calls.append(n)
        raise RuntimeError("boom")

    REGISTRY["test.flaky"] = TaskSpec("test.flaky", flaky, retry=RetryPolicy(3, 10, 3600))
    try:
        outbox.enqueue(db, task="test.flaky", args={"n": 1})
        await db.commit()
        clock = Clock()
        clock.now += timedelta(seconds=1)
        runner = runner_for(app_instance, clock=clock)
        assert (await runner.drain()).retrying == 1
        [row] = await _rows(db)
        assert (row.attempts, row.status, row.run_after - clock.now) == (
            1,
            "pending",
            timedelta(seconds=10),
        )
        clock.now += timedelta(seconds=10)
        assert (await runner.drain()).retrying == 1
        [row] = await _rows(db)
        assert row.run_after - clock.now == timedelta(seconds=20)
        clock.now += timedelta(seconds=20)
        assert (await runner.drain()).dead == 1
        [row] = await _rows(db)
        assert (row.attempts, row.status) == (3, "dead")
        assert row.last_error == "RuntimeError: boom"
        assert (await runner.drain()).total == 0
        assert calls == [1, 1, 1]
    finally:
        del REGISTRY["test.flaky"]


async def test_a_claimed_job_is_not_claimed_again_until_its_lease_ends(
    app_instance: Any, db: AsyncSession
) -> None:
    outbox.enqueue(db, task="test.none", args={})
    await db.commit()
    clock = Clock()
    clock.now += timedelta(seconds=1)
    first, second = runner_for(app_instance, clock=clock), runner_for(app_instance, clock=clock)
    assert len(await first.claim()) == 1
    assert await second.claim() == []  # the first runner holds it
    clock.now += timedelta(minutes=6)  # the first runner died: its lease ran out
    [again] = await second.claim()
    assert again.attempts == 2  # the stalled run counted


async def test_unknown_task_is_dead_at_once(app_instance: Any, db: AsyncSession) -> None:
    outbox.enqueue(db, task="no.such.task", args={})
    await db.commit()
    clock = Clock()
    clock.now += timedelta(seconds=1)
    assert (await runner_for(app_instance, clock=clock).drain()).dead == 1


async def test_periodic_tick_queued_once_by_two_runners(
    app_instance: Any, db: AsyncSession
) -> None:
    seen: list[int] = []

    async def tick(_ctx: Any, *, timestamp: int) -> None:
        seen.append(timestamp)

    REGISTRY["test.tick"] = TaskSpec("test.tick", tick, cron="*/5 * * * *")
    saved = {k: v for k, v in REGISTRY.items() if v.cron and k != "test.tick"}
    for k in saved:
        del REGISTRY[k]
    try:
        clock = Clock()
        clock.now = datetime(2026, 12, 1, 2, 7, 30, tzinfo=UTC)
        a, b = runner_for(app_instance, clock=clock), runner_for(app_instance, clock=clock)
        assert await a.schedule_periodic() == 1
        assert await b.schedule_periodic() == 0
        await a.drain()
        await b.drain()
        assert seen == [int(datetime(2026, 12, 1, 2, 5, tzinfo=UTC).timestamp())]
    finally:
        del REGISTRY["test.tick"]
        REGISTRY.update(saved)


async def test_purge_keeps_a_week_and_what_may_be_resent(
    app_instance: Any, db: AsyncSession
) -> None:
    from app.models.webhook import WebhookDelivery, WebhookSubscription
    from app.tasks.maintenance import purge_records

    now = datetime.now(UTC)
    old, recent = now - timedelta(days=8), now - timedelta(days=6)
    rows = {}
    for name, sent_at, status in (
        ("old_done", old, "done"),
        ("old_relayed", old, "relayed"),
        ("old_dead", old, "dead"),
        ("recent_done", recent, "done"),
        ("old_with_failed_delivery", old, "done"),
        ("pending", None, "pending"),
    ):
        row = audit.emit(db, topic="test.event", object_type="test", object_id=name)
        row.sent_at, row.status = sent_at, status
        rows[name] = row
    sub = WebhookSubscription(name="h", url="https://h.example.com", secret="whsec_AA==")
    db.add(sub)
    await db.flush()
    db.add(
        WebhookDelivery(
            event_id=rows["old_with_failed_delivery"].id, subscription_id=sub.id, status="failed"
        )
    )
    await db.commit()
    await purge_records(runner_for(app_instance).ctx, timestamp=0)
    left = {r.object_id for r in await _rows(db)}
    assert left == {"old_dead", "recent_done", "old_with_failed_delivery", "pending"}


def test_jobs_mode_defaults_from_the_database_url() -> None:
    from app.core.config import Settings

    cases = {
        "sqlite+aiosqlite:///var/zhiben.db": "local",
        "sqlite:///tmp/x.db": "local",
        "sqlite+aiosqlite://": "manual",  # in-memory: per connection, no runner could see it
        "postgresql://postgres@127.0.0.1/zhiben": "procrastinate",
    }
    for url, mode in cases.items():
        assert Settings(database_url=url).resolved_jobs_mode == mode
    assert (
        Settings(database_url="sqlite:///x.db", jobs_mode="manual").resolved_jobs_mode == "manual"
    )
