"""Webhook subscriptions: the street office registers where dashboards receive events."""

from __future__ import annotations

import base64
import secrets
import uuid
from collections.abc import Collection
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import NotFound
from app.models.audit import OutboxEvent
from app.models.webhook import DELIVERY_STATUS_LABELS, WebhookDelivery, WebhookSubscription
from app.schemas.webhook import DeliveryRead, WebhookCreate, WebhookUpdate
from app.services import audit, meta
from app.services.insert_once import id_conflict, insert_once, replay_existing
from app.services.pagination import keyset_page
from app.services.policy import Actor, Permission, require_permission
from app.services.webhooks.urls import check_url

meta.register("webhook_delivery_status", DELIVERY_STATUS_LABELS)

OBJECT_TYPE = "webhook"


def new_secret() -> str:
    # Standard Webhooks form: "whsec_" + standard base64 of 32 random bytes.
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def _public(sub: WebhookSubscription) -> dict[str, Any]:
    """What the audit trail keeps: never the secret."""
    return {"name": sub.name, "url": sub.url, "topics": sub.topics, "is_active": sub.is_active}


async def create_webhook(
    session: AsyncSession, *, actor: Actor, data: WebhookCreate, allowed_hosts: Collection[str]
) -> tuple[WebhookSubscription, bool]:
    """(subscription, created). A re-sent create with the same id and body returns the stored
    one without its secret (it is shown once); another body under that id is a 409."""
    require_permission(actor, Permission.WEBHOOK_MANAGE)
    check_url(data.url, allowed_hosts)

    async def replay(existing: WebhookSubscription) -> WebhookSubscription:
        same = (existing.name, existing.url, existing.topics) == (
            data.name,
            data.url,
            list(data.topics),
        )
        if not same:
            raise id_conflict("该 id 已用于另一订阅", "Id already used")
        return existing

    if stored := await replay_existing(session, WebhookSubscription, data.id, replay):
        return stored, False
    sub = WebhookSubscription(
        id=data.id or uuid.uuid4(),
        name=data.name,
        url=data.url,
        secret=new_secret(),
        topics=list(data.topics),
        is_active=True,
        created_by=actor.user_id,
    )
    if (stored := await insert_once(session, sub, replay)) is not None:
        return stored, False
    audit.record(
        session,
        actor=actor,
        action="create",
        object_type=OBJECT_TYPE,
        object_id=sub.id,
        changes=audit.diff({}, _public(sub)),
    )
    return sub, True


async def list_webhooks(
    session: AsyncSession, *, actor: Actor, limit: int, cursor: str | None
) -> tuple[list[WebhookSubscription], str | None]:
    require_permission(actor, Permission.WEBHOOK_MANAGE)
    stmt = select(WebhookSubscription)
    return await keyset_page(
        session,
        stmt,
        order=[WebhookSubscription.created_at, WebhookSubscription.id],
        limit=limit,
        cursor=cursor,
    )


async def get_webhook(
    session: AsyncSession, *, actor: Actor, webhook_id: uuid.UUID
) -> WebhookSubscription:
    require_permission(actor, Permission.WEBHOOK_MANAGE)
    sub = await session.get(WebhookSubscription, webhook_id)
    if sub is None:
        raise NotFound("订阅不存在", "Webhook not found")
    return sub


async def update_webhook(
    session: AsyncSession, *, actor: Actor, webhook_id: uuid.UUID, data: WebhookUpdate
) -> WebhookSubscription:
    sub = await get_webhook(session, actor=actor, webhook_id=webhook_id)
    before = _public(sub)
    for key, value in data.model_dump(exclude_unset=True, exclude_none=True).items():
        setattr(sub, key, list(value) if key == "topics" else value)
    await session.flush()
    audit.record(
        session,
        actor=actor,
        action="update",
        object_type=OBJECT_TYPE,
        object_id=sub.id,
        changes=audit.diff(before, _public(sub)),
    )
    return sub


async def list_deliveries(
    session: AsyncSession, *, actor: Actor, webhook_id: uuid.UUID, limit: int, cursor: str | None
) -> tuple[list[DeliveryRead], str | None]:
    """Newest first."""
    await get_webhook(session, actor=actor, webhook_id=webhook_id)
    stmt = select(WebhookDelivery).where(WebhookDelivery.subscription_id == webhook_id)
    rows, nxt = await keyset_page(
        session, stmt, order=[WebhookDelivery.id], limit=limit, cursor=cursor, descending=True
    )
    return await delivery_views(session, rows), nxt


async def delivery_views(session: AsyncSession, rows: list[WebhookDelivery]) -> list[DeliveryRead]:
    """Deliveries with their event's id and topic."""
    events = {
        e.id: e
        for e in await session.scalars(
            select(OutboxEvent).where(OutboxEvent.id.in_({r.event_id for r in rows}))
        )
    }
    return [
        DeliveryRead.model_validate(
            {
                **{k: getattr(r, k) for k in DeliveryRead.model_fields if hasattr(r, k)},
                "event_id": events[r.event_id].event_id,
                "topic": events[r.event_id].topic,
            }
        )
        for r in rows
    ]
