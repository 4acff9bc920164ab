"""Approval duties and written delegations (13号令 art. 7): who may approve which permits.

The street office registers who holds the `principal` duty of an enterprise; a principal
designates the enterprise's approvers (other duties) and may delegate its own approval in
writing (`principal_delegate`), with a scope of permit types and a validity window. A revoked
or expired delegation stops counting at once; history stays (nothing is deleted).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import Conflict, Forbidden, NotFound, Unprocessable
from app.models.permit import Delegation, Duty
from app.models.user import Role, User
from app.schemas.confined_space import DelegationCreate
from app.services import audit
from app.services.enterprises import visible_enterprise
from app.services.pagination import keyset_page
from app.services.policy import Actor, Permission, require_permission, scope_by_enterprise

OBJECT_TYPE = "delegation"


def active_clause(now: datetime):  # type: ignore[no-untyped-def]
    return (
        Delegation.revoked_at.is_(None),
        Delegation.valid_from <= now,
        Delegation.valid_to > now,
    )


async def duties_of(
    session: AsyncSession, *, user_id: uuid.UUID, enterprise_id: uuid.UUID, permit_type: str
) -> list[Delegation]:
    """The user's active grants at this enterprise that cover `permit_type` (an empty
    `permit_types` covers every type)."""
    rows = await session.scalars(
        select(Delegation).where(
            Delegation.grantee_id == user_id,
            Delegation.enterprise_id == enterprise_id,
            *active_clause(datetime.now(UTC)),
        )
    )
    return [d for d in rows if not d.permit_types or permit_type in d.permit_types]


async def _check_grantor(session: AsyncSession, actor: Actor, body: DelegationCreate) -> None:
    if actor.is_street_office:
        return
    if body.duty == Duty.principal:
        raise Forbidden(
            "主要负责人职责由街道安委办登记",
            "Only the street office registers the principal",
            code="principal_by_office",
        )
    held = await duties_of(
        session, user_id=actor.user_id, enterprise_id=body.enterprise_id, permit_type=""
    )
    if not any(d.duty == Duty.principal for d in held):
        raise Forbidden(
            "只有主要负责人可以指定审批人或书面委托",
            "Only the principal designates approvers or delegates in writing",
            code="not_principal",
        )


async def create_delegation(
    session: AsyncSession, *, actor: Actor, body: DelegationCreate
) -> tuple[Delegation, bool]:
    require_permission(actor, Permission.DELEGATION_WRITE)
    enterprise = await visible_enterprise(session, actor=actor, enterprise_id=body.enterprise_id)
    if body.id is not None and (existing := await session.get(Delegation, body.id)) is not None:
        if existing.enterprise_id != enterprise.id or existing.grantee_id != body.grantee_id:
            raise Conflict("该 id 已被使用", "Id already used", code="id_conflict")
        return existing, False
    await _check_grantor(session, actor, body)
    await _check_grantee(session, body, enterprise.id)
    row = Delegation(
        id=body.id or uuid.uuid4(),
        **body.model_dump(exclude={"id", "permit_types"}),
        permit_types=[t.value for t in body.permit_types],
        granted_by=actor.user_id,
    )
    session.add(row)
    await session.flush()
    audit.record(
        session,
        actor=actor,
        action="create",
        object_type=OBJECT_TYPE,
        object_id=row.id,
        changes={"duty": row.duty, "grantee_id": row.grantee_id, "valid_to": row.valid_to},
    )
    return row, True


async def _check_grantee(
    session: AsyncSession, body: DelegationCreate, enterprise_id: uuid.UUID
) -> None:
    grantee = await session.get(User, body.grantee_id)
    if (
        grantee is None
        or grantee.role != Role.enterprise_head
        or grantee.enterprise_id != enterprise_id
    ):
        raise Unprocessable(
            "被授权人须为本企业的账号",
            "The grantee must be an account of this enterprise",
            code="grantee_not_of_enterprise",
            field=["body", "grantee_id"],
        )
    if body.valid_to <= body.valid_from:
        raise Unprocessable(
            "授权结束时间须晚于开始时间",
            "valid_to must be after valid_from",
            code="window_empty",
            field=["body", "valid_to"],
        )


async def get_delegation(
    session: AsyncSession, *, actor: Actor, delegation_id: uuid.UUID, for_update: bool = False
) -> Delegation:
    require_permission(actor, Permission.DELEGATION_READ)
    stmt = select(Delegation).where(
        Delegation.id == delegation_id, scope_by_enterprise(actor, Delegation.enterprise_id)
    )
    row = await session.scalar(stmt.with_for_update() if for_update else stmt)
    if row is None:
        raise NotFound("授权不存在", "Delegation not found")
    return row


async def revoke_delegation(
    session: AsyncSession, *, actor: Actor, delegation_id: uuid.UUID, reason: str
) -> Delegation:
    require_permission(actor, Permission.DELEGATION_WRITE)
    row = await get_delegation(session, actor=actor, delegation_id=delegation_id, for_update=True)
    if row.revoked_at is not None:
        raise Conflict("该授权已撤销", "Already revoked", code="already_revoked")
    if not actor.is_street_office and row.duty == Duty.principal:
        raise Forbidden(
            "主要负责人职责由街道安委办撤销", "Only the office", code="principal_by_office"
        )
    if not actor.is_street_office:
        await _check_grantor_for(session, actor, row)
    row.revoked_at, row.revoked_by, row.revoke_reason = datetime.now(UTC), actor.user_id, reason
    await session.flush()
    audit.record(
        session,
        actor=actor,
        action="revoke",
        object_type=OBJECT_TYPE,
        object_id=row.id,
        changes={"reason": reason},
    )
    return row


async def _check_grantor_for(session: AsyncSession, actor: Actor, row: Delegation) -> None:
    held = await duties_of(
        session, user_id=actor.user_id, enterprise_id=row.enterprise_id, permit_type=""
    )
    if not any(d.duty == Duty.principal for d in held):
        raise Forbidden("只有主要负责人可以撤销授权", "Only the principal", code="not_principal")


async def list_delegations(
    session: AsyncSession,
    *,
    actor: Actor,
    enterprise_id: uuid.UUID | None,
    active: bool | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[Delegation], str | None]:
    require_permission(actor, Permission.DELEGATION_READ)
    stmt = select(Delegation).where(scope_by_enterprise(actor, Delegation.enterprise_id))
    if enterprise_id is not None:
        stmt = stmt.where(Delegation.enterprise_id == enterprise_id)
    now = datetime.now(UTC)
    if active is True:
        stmt = stmt.where(*active_clause(now))
    elif active is False:
        stmt = stmt.where(
            or_(
                Delegation.revoked_at.is_not(None),
                Delegation.valid_to <= now,
                Delegation.valid_from > now,
            )
        )
    return await keyset_page(
        session,
        stmt,
        order=[Delegation.created_at, Delegation.id],
        limit=limit,
        cursor=cursor,
        descending=True,
    )


def is_active(row: Delegation) -> bool:
    now = datetime.now(UTC)
    return row.revoked_at is None and row.valid_from <= now < row.valid_to
