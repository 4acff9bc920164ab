"""Queue background work in the caller's transaction (the transactional outbox, issue 13).

The row commits with the change that caused it, or not at all; an engine runs it afterwards.
Services name tasks by string: they never import the engine (app/jobs)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.audit import OutboxEvent, OutboxStatus
from app.models.base import utcnow
from app.models.webhook import DeliveryStatus, WebhookDelivery

# Task names shared by services and app/tasks (the registry checks each exists).
FAN_OUT = "webhooks.fan_out"
DELIVER = "webhooks.deliver"
RENDER_EXPORT = "exports.render"
SEND_NOTIFICATION = "notifications.send"


def enqueue(
    session: AsyncSession,
    *,
    task: str,
    args: dict[str, Any] | None = None,
    run_after: datetime | None = None,
) -> OutboxEvent:
    """One job row; `args` must be JSON (ids as strings). The queue is the task's own
    (registered in app/tasks), which the engine knows and services need not."""
    row = OutboxEvent(
        topic=f"job.{task}"[:64],
        object_type="job",
        object_id=task[:64],
        task=task,
        args=args or {},
        run_after=run_after or utcnow(),
    )
    session.add(row)
    return row


async def purge_finished(session: AsyncSession, *, before: datetime, batch: int = 5000) -> int:
    """Delete job rows run or relayed before `before` (issue 13: kept 7 days). An event whose
    webhook deliveries are not all delivered stays (a dead one may be re-sent); dead jobs
    stay for inspection."""
    pending = select(WebhookDelivery.id).where(
        WebhookDelivery.event_id == OutboxEvent.id,
        WebhookDelivery.status != DeliveryStatus.delivered,
    )
    ids = select(OutboxEvent.id).where(
        OutboxEvent.sent_at < before,
        OutboxEvent.status.in_((OutboxStatus.done, OutboxStatus.relayed)),
        ~pending.exists(),
    )
    done = await session.execute(delete(OutboxEvent).where(OutboxEvent.id.in_(ids.limit(batch))))
    return int(done.rowcount or 0)  # type: ignore[attr-defined]
