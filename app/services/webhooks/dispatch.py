"""Webhook delivery as jobs (issue 13): one `webhooks.fan_out` job per outbox event creates a
delivery row and a `webhooks.deliver` job per matching subscription, in one transaction; each
delivery job makes one attempt and the engine retries it with the webhook policy (10 s,
20 s, 40 s … at most 1 h; 8 attempts, then the delivery is dead and may be re-sent)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import Conflict, NotFound
from app.models.audit import OutboxEvent
from app.models.base import utcnow
from app.models.webhook import DeliveryStatus, WebhookDelivery, WebhookSubscription
from app.services import audit, outbox
from app.services.policy import Actor, Permission, require_permission
from app.services.webhooks.relay import (
    MAX_ATTEMPTS,
    Claimed,
    backoff,
    event_body,
    topic_matches,
)


async def fan_out_event(session: AsyncSession, *, event_id: uuid.UUID, now: datetime) -> int:
    """Deliveries (and their jobs) for every active matching subscription not yet served;
    a re-run adds none twice (unique (event, subscription))."""
    event = await session.scalar(select(OutboxEvent).where(OutboxEvent.event_id == event_id))
    if event is None:
        return 0
    served = set(
        await session.scalars(
            select(WebhookDelivery.subscription_id).where(WebhookDelivery.event_id == event.id)
        )
    )
    subs = await session.scalars(
        select(WebhookSubscription)
        .where(WebhookSubscription.is_active.is_(True))
        .order_by(WebhookSubscription.created_at, WebhookSubscription.id)
    )
    added = [
        WebhookDelivery(
            event_id=event.id,
            subscription_id=sub.id,
            status=DeliveryStatus.pending,
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
        for sub in subs
        if sub.id not in served and topic_matches(sub.topics, event.topic)
    ]
    session.add_all(added)
    await session.flush()
    for delivery in added:
        outbox.enqueue(
            session, task=outbox.DELIVER, args={"delivery_id": delivery.id}, run_after=now
        )
    return len(added)


SUBSCRIPTION_INACTIVE = "subscription_inactive"
RESENDABLE = (DeliveryStatus.failed, DeliveryStatus.skipped)


async def load_pending(session: AsyncSession, *, delivery_id: int, now: datetime) -> Claimed | None:
    """The delivery to attempt, or None when it is no longer pending. A pending delivery
    whose subscription was switched off meanwhile ends `skipped` (not silently dropped): the
    deliveries list shows it, and it can be re-sent once the subscription is active again."""
    row = (
        await session.execute(
            select(WebhookDelivery, WebhookSubscription, OutboxEvent)
            .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
            .join(OutboxEvent, OutboxEvent.id == WebhookDelivery.event_id)
            .where(
                WebhookDelivery.id == delivery_id,
                WebhookDelivery.status == DeliveryStatus.pending,
            )
        )
    ).first()
    if row is None:
        return None
    delivery, sub, event = row
    if not sub.is_active:
        delivery.status, delivery.last_error = DeliveryStatus.skipped, SUBSCRIPTION_INACTIVE
        delivery.next_attempt_at = now
        await session.flush()
        return None
    return Claimed(
        delivery.id,
        delivery.attempts,
        sub.url,
        sub.secret,
        str(event.event_id),
        event.topic,
        event_body(event),
    )


async def record_attempt(
    session: AsyncSession, *, claimed: Claimed, code: int | None, error: str | None, now: datetime
) -> str:
    """Store one attempt's outcome; returns the delivery's status afterwards."""
    attempts = claimed.attempts + 1
    values: dict[str, object] = {
        "attempts": attempts,
        "last_status_code": code,
        "next_attempt_at": now,
    }
    if code is not None and 200 <= code < 300:
        values |= {"status": DeliveryStatus.delivered, "delivered_at": now, "last_error": None}
    else:
        values["last_error"] = (error or f"http_status {code}")[:200]
        dead = attempts >= MAX_ATTEMPTS
        values["status"] = DeliveryStatus.failed if dead else DeliveryStatus.pending
        if not dead:  # when the engine's retry (same policy) will run it
            values["next_attempt_at"] = now + backoff(attempts)
    # Guarded by the attempt count: a stale second run of the same attempt changes nothing.
    await session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.id == claimed.delivery_id,
            WebhookDelivery.status == DeliveryStatus.pending,
            WebhookDelivery.attempts == claimed.attempts,
        )
        .values(**values)
    )
    return str(values["status"])


async def redeliver(
    session: AsyncSession, *, actor: Actor, webhook_id: uuid.UUID, delivery_id: int
) -> WebhookDelivery:
    """Send a dead (`failed`) or `skipped` delivery again from attempt one, as a new job."""
    require_permission(actor, Permission.WEBHOOK_MANAGE)
    row = (
        await session.execute(
            select(WebhookDelivery, WebhookSubscription.is_active)
            .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
            .where(WebhookDelivery.id == delivery_id, WebhookDelivery.subscription_id == webhook_id)
        )
    ).first()
    if row is None:
        raise NotFound("投递记录不存在", "Delivery not found")
    delivery, active = row
    if delivery.status not in RESENDABLE:
        raise Conflict(
            "只有投递失败或已跳过的记录可以重新投递",
            "Only a failed or skipped delivery can be re-sent",
            code="delivery_not_failed",
        )
    if not active:
        raise Conflict(
            "订阅已停用：启用后才能重新投递",
            "The subscription is inactive: activate it to re-send",
            code=SUBSCRIPTION_INACTIVE,
        )
    before, now = delivery.status, utcnow()
    delivery.status, delivery.attempts = DeliveryStatus.pending, 0
    delivery.last_error, delivery.next_attempt_at = None, now
    await session.flush()
    outbox.enqueue(session, task=outbox.DELIVER, args={"delivery_id": delivery.id}, run_after=now)
    audit.record(
        session,
        actor=actor,
        action="redeliver",
        object_type="webhook_delivery",
        object_id=str(delivery.id),
        changes={"status": {"before": str(before), "after": "pending"}},
    )
    return delivery
