"""Where notifications go besides the in-app inbox (issue 13). The inbox row IS the in-app
channel (written with the reminder's key, in the same transaction); other channels — SMS or
WeChat template messages later — implement `Channel` and are named in
`ZHIBEN_NOTIFICATION_CHANNELS`; a job pushes each scan's notifications to them, so a slow
or failing channel never holds up the scan and is retried on its own."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.notification import Notification

log = logging.getLogger("zhiben.notifications")


class Channel(Protocol):
    name: str

    async def deliver(self, notes: Sequence[Notification]) -> None: ...


class LogChannel:
    """Development: writes each notification to the log instead of sending it."""

    name = "log"

    async def deliver(self, notes: Sequence[Notification]) -> None:
        for n in notes:
            log.info("notification to %s [%s %s]: %s", n.user_id, n.kind, n.stage, n.title)


CHANNELS: dict[str, Channel] = {"log": LogChannel()}


async def push(session: AsyncSession, *, created_at: datetime, names: Sequence[str]) -> int:
    """Deliver the notifications written at `created_at` (one scan) to the named channels."""
    notes = list(
        await session.scalars(
            select(Notification)
            .where(Notification.created_at == created_at)
            .order_by(Notification.user_id, Notification.id)
        )
    )
    for name in names:
        channel = CHANNELS.get(name)
        if channel is None:
            log.warning("unknown notification channel %r", name)
            continue
        await channel.deliver(notes)
    return len(notes)
