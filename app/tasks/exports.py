"""Asynchronous exports: render one, and delete expired files daily."""

from __future__ import annotations

import uuid

from app.jobs.registry import JobContext, RetryPolicy, task
from app.services import exports, outbox


@task(outbox.RENDER_EXPORT, retry=RetryPolicy(max_attempts=3, base_delay_s=30))
async def render(ctx: JobContext, *, export_id: str) -> None:
    await exports.render(
        ctx.sessionmaker,
        storage=ctx.storage,
        export_id=uuid.UUID(export_id),
        now=ctx.clock(),
        keep_days=ctx.settings.export_expiry_days,
        jurisdiction=ctx.settings.jurisdiction_name,
    )


@task("exports.purge_expired", queue="maintenance", cron="25 * * * *")
async def purge_expired(ctx: JobContext, *, timestamp: int) -> None:
    del timestamp
    async with ctx.sessionmaker() as session, session.begin():
        await exports.purge_expired(session, storage=ctx.storage, now=ctx.clock())
