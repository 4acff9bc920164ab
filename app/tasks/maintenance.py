"""Periodic clean-ups (issue 13), once per tick however many workers run. Stalled jobs: the
local runner's lease makes a dead runner's job due again; on procrastinate a periodic task
in app/jobs/worker.py retries jobs of workers that stopped beating."""

from __future__ import annotations

import logging
from datetime import timedelta

from app.jobs.registry import JobContext, task
from app.services import idempotency, outbox
from app.services.public_reports.purge import delete_expired_public_uploads, remove_orphan_blobs

log = logging.getLogger("zhiben.jobs")
OUTBOX_KEEP = timedelta(days=7)


@task("maintenance.purge_uploads", queue="maintenance", cron="17 * * * *")
async def purge_uploads(ctx: JobContext, *, timestamp: int) -> None:
    """Public photos no report used within 24 h (what `zhiben purge-uploads` does)."""
    del timestamp
    rows = blobs = 0
    while True:
        async with ctx.sessionmaker() as session:
            count, keys = await delete_expired_public_uploads(session, now=ctx.clock())
            await session.commit()  # blobs go only after their rows are gone for good
            if not count:
                break
            rows += count
            blobs += await remove_orphan_blobs(session, storage=ctx.storage, keys=keys)
    if rows:
        log.info("purged %d unused public uploads, %d blobs", rows, blobs)


@task("maintenance.purge_records", queue="maintenance", cron="40 3 * * *")
async def purge_records(ctx: JobContext, *, timestamp: int) -> None:
    """Outbox rows run or relayed more than 7 days ago; expired idempotency records."""
    del timestamp
    before = ctx.clock() - OUTBOX_KEEP
    while True:
        async with ctx.sessionmaker() as session, session.begin():
            if not await outbox.purge_finished(session, before=before):
                break
    async with ctx.sessionmaker() as session, session.begin():
        await idempotency.purge_expired(
            session, ttl_hours=ctx.settings.idempotency_ttl_hours, now=ctx.clock()
        )
