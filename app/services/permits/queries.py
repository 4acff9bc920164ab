"""Finding permits within the caller's scope, numbering them, shaping them for responses."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import NotFound, PreconditionFailed
from app.models.enterprise import Enterprise
from app.models.permit import Permit, PermitCounter, PermitHistory
from app.rules.calendar import today_in_shanghai
from app.rules.permits.kinds import PermitType
from app.schemas.permit import PermitRead
from app.services.pagination import keyset_page
from app.services.permits.machine import allowed_actions
from app.services.permits.rules_store import load_version
from app.services.policy import Actor, Permission, require_permission, scope_by_enterprise

# 动火 DH, 有限空间 YX, 高处 GC: the prefixes enterprises write on paper permits.
PREFIX = {
    PermitType.hot_work: "DH",
    PermitType.confined_space: "YX",
    PermitType.work_at_height: "GC",
}


async def next_permit_no(session: AsyncSession, enterprise_id: uuid.UUID, permit_type: str) -> str:
    """`DH-2026-0001`: one counter per enterprise and year, shared by all types, so a number
    is never reused (an upsert … RETURNING holds the row lock to the end of the transaction)."""
    year = today_in_shanghai().year
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    upsert = (
        insert(PermitCounter)
        .values(enterprise_id=enterprise_id, year=year, last=1)
        .on_conflict_do_update(
            index_elements=[PermitCounter.enterprise_id, PermitCounter.year],
            set_={"last": PermitCounter.last + 1},
        )
        .returning(PermitCounter.last)
    )
    number = (await session.execute(upsert)).scalar_one()
    return f"{PREFIX[PermitType(permit_type)]}-{year}-{number:04d}"


async def get_permit(
    session: AsyncSession,
    *,
    actor: Actor,
    permit_id: uuid.UUID,
    for_update: bool = False,
    if_match: int | None = None,
) -> Permit:
    """The permit if the caller may see it (else 404), locked for a write when asked."""
    require_permission(actor, Permission.PERMIT_READ)
    stmt = select(Permit).where(
        Permit.id == permit_id, scope_by_enterprise(actor, Permit.enterprise_id)
    )
    if for_update:
        stmt = stmt.with_for_update()
    permit = await session.scalar(stmt)
    if permit is None:
        raise NotFound("作业票不存在", "Permit not found")
    if if_match is not None and if_match != permit.version:
        raise PreconditionFailed()
    await load_version(session, permit.rules_version)  # judged by the rules it was issued under
    return permit


def shaped(permit: Permit) -> dict[str, Any]:
    data = PermitRead.model_validate(permit).model_dump()
    data["allowed_actions"] = allowed_actions(permit)
    return data


@dataclass(frozen=True)
class PermitFilters:
    enterprise_id: uuid.UUID | None = None
    type: str | None = None
    status: str | None = None
    grade: str | None = None


async def list_permits(
    session: AsyncSession, *, actor: Actor, filters: PermitFilters, limit: int, cursor: str | None
) -> tuple[list[Permit], str | None]:
    require_permission(actor, Permission.PERMIT_READ)
    stmt = select(Permit).where(scope_by_enterprise(actor, Permit.enterprise_id))
    for col, value in (
        (Permit.enterprise_id, filters.enterprise_id),
        (Permit.type, filters.type),
        (Permit.status, filters.status),
        (Permit.grade, filters.grade),
    ):
        if value is not None:
            stmt = stmt.where(col == value)
    return await keyset_page(
        session,
        stmt,
        order=[Permit.created_at, Permit.id],
        limit=limit,
        cursor=cursor,
        descending=True,
    )


async def list_history(
    session: AsyncSession, *, actor: Actor, permit_id: uuid.UUID, limit: int, cursor: str | None
) -> tuple[list[PermitHistory], str | None]:
    permit = await get_permit(session, actor=actor, permit_id=permit_id)
    stmt = select(PermitHistory).where(PermitHistory.permit_id == permit.id)
    return await keyset_page(session, stmt, order=[PermitHistory.seq], limit=limit, cursor=cursor)


async def enterprise_of(session: AsyncSession, permit: Permit) -> Enterprise:
    enterprise = await session.get(Enterprise, permit.enterprise_id)
    assert enterprise is not None  # RESTRICT foreign key
    return enterprise
