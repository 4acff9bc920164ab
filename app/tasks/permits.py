"""Permits past their validity expire every five minutes (permits.md §7: "system at valid_to")."""

from __future__ import annotations

import logging

from app.jobs.registry import JobContext, task
from app.services.permits.expiry import expire_batch

log = logging.getLogger("zhiben.permits")


@task("permits.expire", queue="maintenance", cron="*/5 * * * *")
async def expire_permits(ctx: JobContext, *, timestamp: int) -> None:
    """One transaction per batch of 100, until none is due."""
    del timestamp  # the clock decides: a late tick expires what is due by then
    total = 0
    while True:
        async with ctx.sessionmaker() as session, session.begin():
            done = await expire_batch(session, now=ctx.clock())
        total += len(done)
        if len(done) < 100:
            break
    if total:
        log.info("expired %d permits past their validity", total)
