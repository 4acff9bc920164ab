"""Webhook jobs: fan an event out to its subscriptions, deliver one (event, subscription)."""

from __future__ import annotations

import uuid

from app.jobs.registry import JobContext, RetryLater, RetryPolicy, task
from app.models.webhook import DeliveryStatus
from app.services import outbox
from app.services.webhooks import dispatch
from app.services.webhooks.relay import BASE_DELAY_S, MAX_ATTEMPTS, MAX_DELAY_S, Relay

# The delivery's own counter decides "dead" at MAX_ATTEMPTS; the engine's is the same number.
DELIVERY_RETRY = RetryPolicy(
    max_attempts=MAX_ATTEMPTS, base_delay_s=BASE_DELAY_S, max_delay_s=MAX_DELAY_S
)


@task(outbox.FAN_OUT, queue="webhooks")
async def fan_out(ctx: JobContext, *, event_id: str) -> None:
    async with ctx.sessionmaker() as session, session.begin():
        await dispatch.fan_out_event(session, event_id=uuid.UUID(event_id), now=ctx.clock())


@task(outbox.DELIVER, queue="webhooks", retry=DELIVERY_RETRY)
async def deliver(ctx: JobContext, *, delivery_id: int) -> None:
    async with ctx.sessionmaker() as session, session.begin():
        claimed = await dispatch.load_pending(session, delivery_id=delivery_id, now=ctx.clock())
    if claimed is None:
        return
    sender = Relay(
        allowed_hosts=ctx.settings.webhook_allowed_hosts,
        client=ctx.http_client,
        resolver=ctx.resolver,
    )
    code, error = await sender.send(claimed)
    async with ctx.sessionmaker() as session, session.begin():
        status = await dispatch.record_attempt(
            session, claimed=claimed, code=code, error=error, now=ctx.clock()
        )
    if status == DeliveryStatus.pending:
        raise RetryLater(error or f"http_status {code}")
