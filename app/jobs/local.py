"""The in-process runner (SQLite default, and `manual` mode in tests): runs the registered
tasks straight from the outbox with an atomic claim, a lease, the task's retry policy and a
dead state. `zhiben serve` starts it on the embedded default, so `make run` needs nothing else.

A claim bumps `attempts` and pushes `run_after` one lease ahead in a guarded UPDATE, so two
processes never run the same row at once and a runner that dies mid-job leaves the row due
again when the lease ends (a stalled job is retried, counted as an attempt).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from croniter import croniter
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.jobs.registry import JobContext, TaskSpec, load_tasks
from app.models.audit import OutboxEvent, OutboxStatus

log = logging.getLogger("zhiben.jobs")
LEASE = timedelta(minutes=5)  # longer than any task runs; a dead runner's row waits this long


@dataclass(frozen=True)
class Claim:
    id: int
    task: str
    args: dict[str, Any]
    attempts: int  # including this run


@dataclass
class RunResult:
    done: int = 0
    retrying: int = 0
    dead: int = 0

    def add(self, other: RunResult) -> None:
        self.done += other.done
        self.retrying += other.retrying
        self.dead += other.dead

    @property
    def total(self) -> int:
        return self.done + self.retrying + self.dead


class LocalRunner:
    def __init__(self, ctx: JobContext, *, batch: int = 20) -> None:
        self.ctx = ctx
        self.registry = load_tasks()
        self._batch = batch

    async def schedule_periodic(self) -> int:
        """Queue each periodic task's latest tick once (the dedupe key makes it once even
        with several processes); returns how many ticks were new."""
        now = self.ctx.clock()
        added = 0
        async with self.ctx.sessionmaker() as session, session.begin():
            for spec in self.registry.values():
                if spec.cron is None:
                    continue
                tick: datetime = croniter(spec.cron, now).get_prev(datetime)
                added += await _insert_once(session, spec, tick)
        return added

    async def claim(self) -> list[Claim]:
        now = self.ctx.clock()
        async with self.ctx.sessionmaker() as session, session.begin():
            stmt = (
                select(OutboxEvent.id, OutboxEvent.task, OutboxEvent.args, OutboxEvent.attempts)
                .where(OutboxEvent.sent_at.is_(None), OutboxEvent.run_after <= now)
                .order_by(OutboxEvent.run_after, OutboxEvent.id)
                .limit(self._batch)
            )
            if session.get_bind().dialect.name == "postgresql":
                stmt = stmt.with_for_update(skip_locked=True)
            claims = []
            for row_id, task, args, attempts in (await session.execute(stmt)).all():
                won = await session.execute(
                    update(OutboxEvent)
                    .where(OutboxEvent.id == row_id, OutboxEvent.attempts == attempts)
                    .where(OutboxEvent.sent_at.is_(None))
                    .values(attempts=attempts + 1, run_after=now + LEASE)
                )
                if won.rowcount == 1:  # type: ignore[attr-defined]
                    claims.append(Claim(row_id, task, dict(args or {}), attempts + 1))
            return claims

    async def run_claim(self, claim: Claim) -> RunResult:
        spec = self.registry.get(claim.task)
        error: str | None = None
        if spec is None:
            error = f"unknown task {claim.task!r}"
        else:
            try:
                await spec.func(self.ctx, **claim.args)
            except Exception as exc:  # a task's failure is recorded, never kills the runner
                log.warning("job %s (%s) failed: %r", claim.id, claim.task, exc)
                error = f"{type(exc).__name__}: {exc}"[:500]
        return await self._record(claim, spec, error)

    async def _record(self, claim: Claim, spec: TaskSpec | None, error: str | None) -> RunResult:
        now = self.ctx.clock()
        values: dict[str, Any] = {"last_error": error}
        result = RunResult()
        if error is None:
            values |= {"status": OutboxStatus.done, "sent_at": now}
            result.done = 1
        elif spec is None or spec.retry.gives_up(claim.attempts):
            values |= {"status": OutboxStatus.dead, "sent_at": now}
            result.dead = 1
        else:
            values["run_after"] = now + spec.retry.delay(claim.attempts)
            result.retrying = 1
        async with self.ctx.sessionmaker() as session, session.begin():
            # Guarded: if the lease ran out and another runner took the row, this is stale.
            await session.execute(
                update(OutboxEvent)
                .where(OutboxEvent.id == claim.id, OutboxEvent.attempts == claim.attempts)
                .values(**values)
            )
        return result

    async def run_due(self) -> RunResult:
        """One pass: claim a batch of due rows and run them one after another."""
        result = RunResult()
        for claim in await self.claim():
            result.add(await self.run_claim(claim))
        return result

    async def drain(self, *, max_rounds: int = 1000) -> RunResult:
        """Run until nothing is due (jobs queued by jobs included) — `manual` mode's step."""
        result = RunResult()
        for _ in range(max_rounds):
            step = await self.run_due()
            if not step.total:
                break
            result.add(step)
        return result

    async def serve(self, stop: asyncio.Event, *, interval: float = 1.0) -> None:
        """The loop `zhiben serve` runs beside the API on the embedded default."""
        while not stop.is_set():
            try:
                await self.schedule_periodic()
                await self.drain(max_rounds=50)
            except Exception:  # the database may be briefly busy; try again next round
                log.exception("local job runner round failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval)


async def _insert_once(session: AsyncSession, spec: TaskSpec, tick: datetime) -> int:
    values = {
        "topic": f"job.{spec.name}"[:64],
        "object_type": "job",
        "object_id": spec.name[:64],
        "task": spec.name,
        "args": {"timestamp": int(tick.timestamp())},
        "run_after": tick,
        "dedupe_key": f"periodic:{spec.name}:{int(tick.timestamp())}",
    }
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = (
        insert(OutboxEvent).values(**values).on_conflict_do_nothing(index_elements=["dedupe_key"])
    )
    done = await session.execute(stmt)
    return int(done.rowcount or 0)  # type: ignore[attr-defined]
