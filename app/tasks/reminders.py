"""The reminder scan, hourly; it sends from the business day's send hour (08:00 Shanghai)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from app.jobs.registry import JobContext, task
from app.rules.calendar import shanghai_date
from app.rules.reminders import sends_now
from app.services import reminders

log = logging.getLogger("zhiben.reminders")


@task("reminders.scan", queue="reminders", cron="5 * * * *")
async def scan(ctx: JobContext, *, timestamp: int) -> None:
    """`timestamp` is the tick: a late run still scans the day it was meant for."""
    tick = datetime.fromtimestamp(timestamp, UTC)
    if not sends_now(tick, ctx.settings.reminder_send_hour):
        return
    async with ctx.sessionmaker() as session, session.begin():
        result = await reminders.scan(
            session, today=shanghai_date(tick), now=ctx.clock(), settings=ctx.settings
        )
    log.info(
        "reminder scan %s: %s, %d notifications", result.day, result.stages, result.notifications
    )
