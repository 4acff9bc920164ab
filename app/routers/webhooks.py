"""Webhook subscriptions for dashboards and integration clients (street office only)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Path, Response

from app.core.errors import problem_responses
from app.core.idempotency import reveals_secret
from app.dependencies import CurrentActor, PageDep, SessionDep, SettingsDep
from app.models.webhook import WebhookSubscription
from app.routers._base import api_router
from app.schemas.common import Page
from app.schemas.webhook import (
    DeliveryRead,
    WebhookCreate,
    WebhookCreated,
    WebhookRead,
    WebhookUpdate,
)
from app.services.webhooks import dispatch, subscriptions

router = api_router(prefix="/api/v1/webhooks", tags=["webhooks"])


@router.post(
    "",
    status_code=201,
    response_model=WebhookCreated,
    responses=problem_responses(401, 403, 409, 422),
)
@reveals_secret
async def create_webhook(
    body: WebhookCreate,
    actor: CurrentActor,
    session: SessionDep,
    settings: SettingsDep,
    response: Response,
) -> WebhookCreated:
    """Register a webhook; the signing secret is in this response only."""
    sub, created = await subscriptions.create_webhook(
        session, actor=actor, data=body, allowed_hosts=settings.webhook_allowed_hosts
    )
    response.status_code = 201 if created else 200
    out = WebhookCreated.model_validate(WebhookRead.model_validate(sub).model_dump())
    out.secret = sub.secret if created else None
    return out


@router.get("", response_model=Page[WebhookRead], responses=problem_responses(401, 403, 422))
async def list_webhooks(
    actor: CurrentActor, session: SessionDep, page: PageDep
) -> Page[WebhookRead]:
    """Webhook subscriptions, oldest first."""
    items, nxt = await subscriptions.list_webhooks(
        session, actor=actor, limit=page.limit, cursor=page.cursor
    )
    return Page[WebhookRead](items=[WebhookRead.model_validate(s) for s in items], next_cursor=nxt)


@router.get(
    "/{webhook_id}", response_model=WebhookRead, responses=problem_responses(401, 403, 404, 422)
)
async def get_webhook(
    webhook_id: uuid.UUID, actor: CurrentActor, session: SessionDep
) -> WebhookSubscription:
    """One webhook subscription (without its secret)."""
    return await subscriptions.get_webhook(session, actor=actor, webhook_id=webhook_id)


@router.patch(
    "/{webhook_id}", response_model=WebhookRead, responses=problem_responses(401, 403, 404, 422)
)
async def update_webhook(
    webhook_id: uuid.UUID, body: WebhookUpdate, actor: CurrentActor, session: SessionDep
) -> WebhookSubscription:
    """Rename, pause/resume or change the topics of a webhook."""
    return await subscriptions.update_webhook(
        session, actor=actor, webhook_id=webhook_id, data=body
    )


@router.get(
    "/{webhook_id}/deliveries",
    response_model=Page[DeliveryRead],
    responses=problem_responses(401, 403, 404, 422),
)
async def list_deliveries(
    webhook_id: uuid.UUID, actor: CurrentActor, session: SessionDep, page: PageDep
) -> Page[DeliveryRead]:
    """Deliveries of a webhook, newest first."""
    items, nxt = await subscriptions.list_deliveries(
        session, actor=actor, webhook_id=webhook_id, limit=page.limit, cursor=page.cursor
    )
    return Page[DeliveryRead](items=items, next_cursor=nxt)


@router.post(
    "/{webhook_id}/deliveries/{delivery_id}/redeliver",
    response_model=DeliveryRead,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def redeliver(
    webhook_id: uuid.UUID,
    delivery_id: Annotated[int, Path(ge=1, le=2**63 - 1, description="投递记录 id")],
    actor: CurrentActor,
    session: SessionDep,
) -> DeliveryRead:
    """Re-send a failed (dead) delivery, from its first attempt."""
    delivery = await dispatch.redeliver(
        session, actor=actor, webhook_id=webhook_id, delivery_id=delivery_id
    )
    [view] = await subscriptions.delivery_views(session, [delivery])
    return view
