"""The caller's own notifications (issue 13): nobody reads another account's (404)."""

from __future__ import annotations

import uuid

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import NotFound
from app.models.base import utcnow
from app.models.notification import NOTIFICATION_KIND_LABELS, Notification
from app.services import meta
from app.services.pagination import keyset_page
from app.services.policy import Actor, Permission, require_permission

meta.register("notification_kind", NOTIFICATION_KIND_LABELS)


async def list_notifications(
    session: AsyncSession,
    *,
    actor: Actor,
    kind: str | None,
    unread: bool | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[Notification], str | None]:
    """Unread first, then newest first (one descending key: unread, created_at, id)."""
    require_permission(actor, Permission.NOTIFICATION_READ)
    stmt = select(Notification).where(Notification.user_id == actor.user_id)
    if kind:
        stmt = stmt.where(Notification.kind == kind)
    if unread is not None:
        stmt = stmt.where(Notification.unread.is_(unread))
    order = [Notification.unread, Notification.created_at, Notification.id]
    return await keyset_page(
        session, stmt, order=order, limit=limit, cursor=cursor, descending=True
    )


async def mark_read(
    session: AsyncSession, *, actor: Actor, notification_id: uuid.UUID
) -> Notification:
    """Idempotent: reading a read notification keeps its first `read_at`."""
    require_permission(actor, Permission.NOTIFICATION_READ)
    note = await session.scalar(
        select(Notification).where(
            Notification.id == notification_id, Notification.user_id == actor.user_id
        )
    )
    if note is None:
        raise NotFound("通知不存在", "Notification not found")
    if note.unread:
        note.unread = False
        note.read_at = utcnow()
        await session.flush()
    return note


async def mark_all_read(session: AsyncSession, *, actor: Actor) -> int:
    require_permission(actor, Permission.NOTIFICATION_READ)
    done = await session.execute(
        update(Notification)
        .where(Notification.user_id == actor.user_id, Notification.unread.is_(True))
        .values(unread=False, read_at=utcnow())
    )
    return int(done.rowcount or 0)  # type: ignore[attr-defined]
