"""Approval duties and written delegations (13号令 art. 7)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import Response

from app.core.errors import problem_responses
from app.dependencies import CurrentActor, PageDep, SessionDep
from app.models.permit import Delegation
from app.routers._base import api_router, created_or_stored
from app.schemas.common import Page
from app.schemas.confined_space import DelegationCreate, DelegationRead
from app.schemas.permit import ReasonBody
from app.services import delegations

router = api_router(prefix="/api/v1/delegations", tags=["permits"])

READ = problem_responses(401, 403, 404, 422)
WRITE = problem_responses(401, 403, 404, 409, 422)


def _shape(row: Delegation) -> dict[str, Any]:
    data = DelegationRead.model_validate(row).model_dump()
    data["active"] = delegations.is_active(row)
    return data


@router.get("", response_model=Page[DelegationRead], responses=problem_responses(401, 403, 422))
async def list_delegations(
    actor: CurrentActor,
    session: SessionDep,
    page: PageDep,
    enterprise_id: uuid.UUID | None = None,
    active: bool | None = None,
) -> Page[DelegationRead]:
    """Duties and delegations in the caller's scope, newest first."""
    rows, nxt = await delegations.list_delegations(
        session,
        actor=actor,
        enterprise_id=enterprise_id,
        active=active,
        limit=page.limit,
        cursor=page.cursor,
    )
    return Page[DelegationRead](
        items=[DelegationRead.model_validate(_shape(r)) for r in rows], next_cursor=nxt
    )


@router.post("", status_code=201, response_model=DelegationRead, responses=WRITE)
async def create_delegation(
    body: DelegationCreate, actor: CurrentActor, session: SessionDep, response: Response
) -> dict[str, Any]:
    """Grant a duty (street office: the principal; the principal: approvers and delegates)."""
    row = created_or_stored(
        response, await delegations.create_delegation(session, actor=actor, body=body)
    )
    return _shape(row)


@router.get("/{delegation_id}", response_model=DelegationRead, responses=READ)
async def get_delegation(
    delegation_id: uuid.UUID, actor: CurrentActor, session: SessionDep
) -> dict[str, Any]:
    """One duty or delegation."""
    return _shape(
        await delegations.get_delegation(session, actor=actor, delegation_id=delegation_id)
    )


@router.post("/{delegation_id}/revoke", response_model=DelegationRead, responses=WRITE)
async def revoke_delegation(
    delegation_id: uuid.UUID, body: ReasonBody, actor: CurrentActor, session: SessionDep
) -> dict[str, Any]:
    """Revoke a duty or delegation at once (it stays on record)."""
    row = await delegations.revoke_delegation(
        session, actor=actor, delegation_id=delegation_id, reason=body.reason
    )
    return _shape(row)
