"""The caller's notification inbox: reminders and escalations (issue 13)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query

from app.core.errors import problem_responses
from app.dependencies import CurrentActor, PageDep, SessionDep
from app.models.notification import Notification, NotificationKind
from app.routers._base import api_router
from app.schemas.common import Page
from app.schemas.notification import NotificationRead, ReadAllResult
from app.services import notifications

router = api_router(prefix="/api/v1/notifications", tags=["notifications"])


@router.get("", response_model=Page[NotificationRead], responses=problem_responses(401, 403, 422))
async def list_notifications(
    actor: CurrentActor,
    session: SessionDep,
    page: PageDep,
    kind: Annotated[NotificationKind | None, Query(description="按类型筛选")] = None,
    unread: Annotated[bool | None, Query(description="true 只看未读，false 只看已读")] = None,
) -> Page[NotificationRead]:
    """My notifications: unread first, newest first."""
    items, nxt = await notifications.list_notifications(
        session, actor=actor, kind=kind, unread=unread, limit=page.limit, cursor=page.cursor
    )
    return Page[NotificationRead](
        items=[NotificationRead.model_validate(n) for n in items], next_cursor=nxt
    )


@router.post("/read-all", response_model=ReadAllResult, responses=problem_responses(401, 403, 422))
async def read_all(actor: CurrentActor, session: SessionDep) -> ReadAllResult:
    """Mark all my notifications read."""
    return ReadAllResult(updated=await notifications.mark_all_read(session, actor=actor))


@router.post(
    "/{notification_id}/read",
    response_model=NotificationRead,
    responses=problem_responses(401, 403, 404, 422),
)
async def read_one(
    notification_id: uuid.UUID, actor: CurrentActor, session: SessionDep
) -> Notification:
    """Mark one of my notifications read (another account's is 404)."""
    return await notifications.mark_read(session, actor=actor, notification_id=notification_id)
