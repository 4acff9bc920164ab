"""The confined-space ledger (有限空间管理台账, 13号令 art. 6): each enterprise's spaces with
location, medium and whether H2S/CO/CO2 poisoning risk exists (art. 7, 第十三条 scope)."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import Conflict, NotFound
from app.models.permit import ConfinedSpace
from app.schemas.confined_space import ConfinedSpaceCreate
from app.services import audit
from app.services.enterprises import visible_enterprise
from app.services.insert_once import id_conflict, insert_once, replay_existing
from app.services.pagination import keyset_page
from app.services.policy import Actor, Permission, require_permission

OBJECT_TYPE = "confined_space"


def code_taken() -> Conflict:
    return Conflict("台账编号已存在", "Ledger code already used", code="space_code_taken")


async def create_space(
    session: AsyncSession, *, actor: Actor, enterprise_id: uuid.UUID, data: ConfinedSpaceCreate
) -> tuple[ConfinedSpace, bool]:
    """Insert-once on the client id; two creates of one code at once give one 201 and one
    409 `space_code_taken` (the unique index decides, never a 500). A generated code that a
    concurrent create took is drawn again."""
    require_permission(actor, Permission.PERMIT_WRITE)
    enterprise = await visible_enterprise(session, actor=actor, enterprise_id=enterprise_id)

    async def replay(row: ConfinedSpace) -> tuple[ConfinedSpace, bool]:
        if row.enterprise_id != enterprise.id or row.name != data.name:
            raise id_conflict()
        return row, False

    if (found := await replay_existing(session, ConfinedSpace, data.id, replay)) is not None:
        return found
    for _attempt in range(5):
        try:
            code = await _free_code(session, enterprise.id, data.code)
            row = _row(actor, enterprise.id, code, data)
            replayed = await insert_once(session, row, replay, other_conflict=code_taken())
        except Conflict as exc:
            if exc.code != "space_code_taken":
                raise
            # A re-send of this very create may have taken the code since the first look.
            found = await replay_existing(session, ConfinedSpace, data.id, replay)
            if found is not None:
                return found
            if data.code is not None:
                raise
            continue  # a concurrent create took the generated code: draw the next one
        if replayed is not None:
            return replayed
        audit.record(
            session,
            actor=actor,
            action="create",
            object_type=OBJECT_TYPE,
            object_id=row.id,
            changes={"code": code, "poisoning_gases": row.poisoning_gases},
        )
        return row, True
    raise code_taken()


def _row(
    actor: Actor, enterprise_id: uuid.UUID, code: str, data: ConfinedSpaceCreate
) -> ConfinedSpace:
    gases = sorted({g.value for g in data.poisoning_gases})
    return ConfinedSpace(
        id=data.id or uuid.uuid4(),
        enterprise_id=enterprise_id,
        code=code,
        name=data.name,
        location=data.location,
        medium=data.medium,
        poisoning_gases=gases,
        poisoning_risk=bool(gases),
        signs_posted=data.signs_posted,
        created_by=actor.user_id,
    )


async def _free_code(session: AsyncSession, enterprise_id: uuid.UUID, code: str | None) -> str:
    code = code or await _next_code(session, enterprise_id)
    taken = await session.scalar(
        select(ConfinedSpace.id).where(
            ConfinedSpace.enterprise_id == enterprise_id, ConfinedSpace.code == code
        )
    )
    if taken is not None:
        raise code_taken()
    return code


async def _next_code(session: AsyncSession, enterprise_id: uuid.UUID) -> str:
    n = await session.scalar(
        select(func.count()).where(ConfinedSpace.enterprise_id == enterprise_id)
    )
    return f"YXKJ-{(n or 0) + 1:04d}"


async def get_space(
    session: AsyncSession, *, actor: Actor, enterprise_id: uuid.UUID, space_id: uuid.UUID
) -> ConfinedSpace:
    require_permission(actor, Permission.PERMIT_READ)
    enterprise = await visible_enterprise(session, actor=actor, enterprise_id=enterprise_id)
    row = await session.get(ConfinedSpace, space_id)
    if row is None or row.enterprise_id != enterprise.id:
        raise NotFound("有限空间不存在", "Confined space not found")
    return row


async def list_spaces(
    session: AsyncSession,
    *,
    actor: Actor,
    enterprise_id: uuid.UUID,
    poisoning_risk: bool | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[ConfinedSpace], str | None]:
    require_permission(actor, Permission.PERMIT_READ)
    enterprise = await visible_enterprise(session, actor=actor, enterprise_id=enterprise_id)
    stmt = select(ConfinedSpace).where(ConfinedSpace.enterprise_id == enterprise.id)
    if poisoning_risk is not None:
        stmt = stmt.where(ConfinedSpace.poisoning_risk == poisoning_risk)
    return await keyset_page(
        session, stmt, order=[ConfinedSpace.code, ConfinedSpace.id], limit=limit, cursor=cursor
    )
