"""`zhiben worker` (jobs mode `procrastinate`, PostgreSQL): relays outbox rows into
procrastinate and runs procrastinate's worker; any number may run on any number of hosts.

The relay hands rows over exactly once: inside ONE psycopg transaction it locks a batch of
unsent rows (`FOR UPDATE SKIP LOCKED`, so concurrent relays take different rows), defers a
procrastinate job for each on that same connection (procrastinate joins the transaction) and
marks the rows relayed. Either all of it commits or none of it does.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

import procrastinate
import psycopg
from procrastinate.retry import BaseRetryStrategy, RetryDecision
from sqlalchemy.engine import make_url

from app.core.config import Settings
from app.core.db import make_engine, make_sessionmaker
from app.core.storage import LocalStorage
from app.jobs.context import build_context
from app.jobs.registry import JobContext, RetryPolicy, TaskSpec, load_tasks
from app.services.session_hooks import SESSION_HOOKS

log = logging.getLogger("zhiben.jobs")
STALLED_AFTER_S = 15 * 60  # a job "doing" this long on a worker that stopped beating is retried

LOCK_BATCH = """
SELECT id, task, args, run_after FROM outbox_events
WHERE sent_at IS NULL ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED
"""
MARK_RELAYED = "UPDATE outbox_events SET sent_at = now(), status = 'relayed' WHERE id = ANY(%s)"


class PolicyRetry(BaseRetryStrategy):
    """Our RetryPolicy in procrastinate's terms (the same waits as the local runner)."""

    def __init__(self, policy: RetryPolicy) -> None:
        self.policy = policy

    def get_retry_decision(
        self, *, exception: BaseException, job: procrastinate.jobs.Job
    ) -> RetryDecision | None:
        del exception  # every failure is retried alike
        attempts = job.attempts + 1  # procrastinate counts previous runs
        if self.policy.gives_up(attempts):
            return None
        return RetryDecision(retry_in={"seconds": int(self.policy.delay(attempts).total_seconds())})


def conninfo(database_url: str) -> str:
    """psycopg's libpq URL from ours (`postgresql+asyncpg://…` → `postgresql://…`)."""
    url = make_url(database_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def build_app(database_url: str, ctx: JobContext | None) -> procrastinate.App:
    """A procrastinate App with every registered task; `ctx` None = defer only (no runs)."""
    app = procrastinate.App(
        connector=procrastinate.PsycopgConnector(conninfo=conninfo(database_url))
    )
    for spec in load_tasks().values():
        _register(app, spec, ctx)
    _register_stalled_retry(app)
    return app


def _register(app: procrastinate.App, spec: TaskSpec, ctx: JobContext | None) -> None:
    async def run(**kwargs: Any) -> None:
        if ctx is None:
            raise RuntimeError("this procrastinate app only defers jobs")
        await spec.func(ctx, **kwargs)

    run.__name__ = spec.name.replace(".", "_")
    registered = app.task(
        name=spec.name, queue=spec.queue, retry=PolicyRetry(spec.retry), pass_context=False
    )(run)
    if spec.cron:
        # procrastinate passes the tick's `timestamp`, which our periodic tasks accept.
        app.periodic(cron=spec.cron, periodic_id=spec.name)(registered)  # type: ignore[arg-type]


def _register_stalled_retry(app: procrastinate.App) -> None:
    @app.periodic(cron="*/5 * * * *", periodic_id="jobs.retry_stalled")
    @app.task(name="jobs.retry_stalled", queue="maintenance", pass_context=False)
    async def retry_stalled(timestamp: int) -> None:
        del timestamp
        await retry_stalled_jobs(app)


async def retry_stalled_jobs(app: procrastinate.App) -> int:
    """Put back to `todo` every job left `doing` by a worker whose heartbeat stopped
    STALLED_AFTER_S ago (killed, host lost). Its next run is the one retry: a webhook
    delivery then sends the same `webhook-id` again, which the consumer dedupes by."""
    stalled = await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=STALLED_AFTER_S)
    count = 0
    for job in stalled:
        assert job.id is not None
        await app.job_manager.retry_job(job)
        log.warning("retried stalled job %s (%s)", job.id, job.task_name)
        count += 1
    return count


async def relay_once(app: procrastinate.App, conn: psycopg.AsyncConnection[Any], batch: int) -> int:
    """Hand one batch of outbox rows to procrastinate; returns how many."""
    async with conn.transaction():
        rows = await (await conn.execute(LOCK_BATCH, (batch,))).fetchall()
        if not rows:
            return 0
        now = datetime.now(UTC)
        groups: dict[tuple[str, datetime | None], list[dict[str, Any]]] = defaultdict(list)
        for _id, task, args, run_after in rows:
            groups[(task, run_after if run_after > now else None)].append(args)
        for (task, schedule_at), batch_args in groups.items():
            # One INSERT per group, on this connection: inside the relay's transaction. The
            # queue is the task's registered one (`--queues` selects by it).
            deferrer = app.configure_task(task, schedule_at=schedule_at, connection=conn)
            await deferrer.batch_defer_async(*batch_args)
        await conn.execute(MARK_RELAYED, ([r[0] for r in rows],))
        return len(rows)


async def relay_loop(
    app: procrastinate.App, database_url: str, stop: asyncio.Event, *, interval: float = 0.5
) -> None:
    """Relay until `stop`; a full batch goes round again at once, an empty one waits."""
    async with await psycopg.AsyncConnection.connect(conninfo(database_url)) as conn:
        while not stop.is_set():
            try:
                if await relay_once(app, conn, batch=200) == 200:
                    continue
            except psycopg.Error:
                log.exception("outbox relay round failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval)


async def run_worker(
    settings: Settings, *, concurrency: int, queues: list[str] | None, relay: bool = True
) -> None:
    """The body of `zhiben worker`: the relay beside procrastinate's worker until a signal."""
    engine = make_engine(settings)
    assert settings.upload_dir is not None  # filled in by Settings
    ctx = build_context(
        settings, make_sessionmaker(engine, hooks=SESSION_HOOKS), LocalStorage(settings.upload_dir)
    )
    app = build_app(settings.database_url, ctx)
    stop = asyncio.Event()
    try:
        async with app.open_async():
            relaying = asyncio.create_task(
                relay_loop(app, settings.database_url, stop) if relay else stop.wait()
            )
            try:
                options: dict[str, Any] = {"concurrency": concurrency}
                if queues:
                    options["queues"] = queues
                await app.run_worker_async(**options)
            finally:
                stop.set()
                await relaying
    finally:
        await ctx.http_client.aclose()
        await engine.dispose()
