"""Push a scan's notifications to the configured channels besides the inbox."""

from __future__ import annotations

from datetime import datetime

from app.jobs.registry import JobContext, task
from app.services import channels, outbox


@task(outbox.SEND_NOTIFICATION)
async def send(ctx: JobContext, *, created_at: str) -> None:
    async with ctx.sessionmaker() as session:
        await channels.push(
            session,
            created_at=datetime.fromisoformat(created_at),
            names=ctx.settings.notification_channels,
        )
