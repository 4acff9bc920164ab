"""Audit rows and outbox events, written inside the caller's transaction."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.logging import request_id_var
from app.models.audit import AuditLog, OutboxEvent
from app.models.base import utcnow
from app.services import outbox
from app.services.pagination import keyset_page
from app.services.policy import Actor


def jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    return value


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """{field: {"before": x, "after": y}} for the fields that changed."""
    return {
        k: {"before": jsonable(before.get(k)), "after": jsonable(after.get(k))}
        for k in after
        if jsonable(before.get(k)) != jsonable(after.get(k))
    }


def record(
    session: AsyncSession,
    *,
    actor: Actor | None,
    action: str,
    object_type: str,
    object_id: uuid.UUID | str,
    changes: dict[str, Any] | None = None,
) -> AuditLog:
    row = AuditLog(
        actor_id=actor.user_id if actor else None,
        actor_role=actor.role.value if actor else "anonymous",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        changes=jsonable(changes or {}),
        request_id=request_id_var.get(),
    )
    session.add(row)
    return row


def emit(
    session: AsyncSession,
    *,
    topic: str,
    object_type: str,
    object_id: uuid.UUID | str,
    payload: dict[str, Any] | None = None,
) -> OutboxEvent:
    """An outbox event for the relay; payloads carry ids and codes, never personal data."""
    event_id = uuid.uuid4()
    # A domain event is a fan-out job: webhooks.fan_out finds the subscriptions for it.
    event = OutboxEvent(
        event_id=event_id,
        topic=topic,
        object_type=object_type,
        object_id=str(object_id),
        payload=jsonable(payload or {}),
        task=outbox.FAN_OUT,
        args={"event_id": str(event_id)},
        run_after=utcnow(),
    )
    session.add(event)
    return event


def record_update(
    session: AsyncSession,
    *,
    actor: Actor,
    object_type: str,
    object_id: uuid.UUID,
    changes: dict[str, Any],
    payload: dict[str, Any],
) -> None:
    """An update's audit row and its `<object_type>.updated` event, both only if something
    changed (a PATCH that sets what is already there leaves no trace)."""
    if not changes:
        return
    record(
        session,
        actor=actor,
        action="update",
        object_type=object_type,
        object_id=object_id,
        changes=changes,
    )
    emit(
        session,
        topic=f"{object_type}.updated",
        object_type=object_type,
        object_id=object_id,
        payload=payload,
    )


async def list_audit(
    session: AsyncSession,
    *,
    object_type: str | None,
    object_id: str | None,
    actor_id: uuid.UUID | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[AuditLog], str | None]:
    stmt = select(AuditLog)
    if object_type:
        stmt = stmt.where(AuditLog.object_type == object_type)
    if object_id:
        stmt = stmt.where(AuditLog.object_id == object_id)
    if actor_id:
        stmt = stmt.where(AuditLog.actor_id == actor_id)
    return await keyset_page(
        session, stmt, order=[AuditLog.id], limit=limit, cursor=cursor, descending=True
    )
