from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query

from app.core.errors import problem_responses
from app.dependencies import PageDep, SessionDep, require
from app.routers._base import api_router
from app.schemas.audit import AuditRead
from app.schemas.common import Page, ParamStr
from app.services import audit
from app.services.policy import Permission

router = api_router(prefix="/api/v1/audit", tags=["audit"])


@router.get(
    "",
    response_model=Page[AuditRead],
    dependencies=[require(Permission.AUDIT_READ)],
    responses=problem_responses(401, 403, 422),
)
async def list_audit(
    session: SessionDep,
    page: PageDep,
    object_type: Annotated[ParamStr | None, Query(max_length=64)] = None,
    object_id: Annotated[ParamStr | None, Query(max_length=64)] = None,
    actor_id: uuid.UUID | None = None,
) -> Page[AuditRead]:
    """The audit trail, newest first (street office)."""
    items, nxt = await audit.list_audit(
        session,
        object_type=object_type,
        object_id=object_id,
        actor_id=actor_id,
        limit=page.limit,
        cursor=page.cursor,
    )
    return Page[AuditRead](items=[AuditRead.model_validate(a) for a in items], next_cursor=nxt)
