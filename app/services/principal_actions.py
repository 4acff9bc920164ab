"""五带头 records (plan §四(二)): what each enterprise's principal head did in person, kept per
enterprise and counted per year in statistics and bulletins."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import Unprocessable
from app.models.principal_action import PrincipalAction
from app.rules.five_lead import FIVE_LEAD_LABELS
from app.schemas.plan_records import PrincipalActionCreate
from app.services import audit, meta
from app.services.enterprises import visible_enterprise
from app.services.insert_once import id_conflict, insert_once, replay_existing
from app.services.pagination import keyset_page
from app.services.policy import Actor, Permission, require_permission

meta.register("five_lead", {str(k): v for k, v in FIVE_LEAD_LABELS.items()})


def shape(row: PrincipalAction) -> dict[str, Any]:
    keys = ("id", "enterprise_id", "action", "principal_name", "acted_on", "description")
    return {
        **{k: getattr(row, k) for k in keys},
        "label": FIVE_LEAD_LABELS[row.action],
        "created_at": row.created_at,
    }


async def create_action(
    session: AsyncSession, *, actor: Actor, enterprise_id: uuid.UUID, data: PrincipalActionCreate
) -> tuple[dict[str, Any], bool]:
    require_permission(actor, Permission.RECORD_WRITE)
    ent = await visible_enterprise(session, actor=actor, enterprise_id=enterprise_id)
    name = data.principal_name or ent.principal_name
    if not name:
        raise Unprocessable(
            "企业档案未登记主要负责人，请填写 principal_name",
            "No principal head on file: give principal_name",
            field=["body", "principal_name"],
        )
    fields = {
        "enterprise_id": ent.id,
        "action": data.action.value,
        "principal_name": name,
        "acted_on": data.acted_on,
        "description": data.description,
    }

    async def replay(old: PrincipalAction) -> dict[str, Any]:
        if any(getattr(old, k) != v for k, v in fields.items()):
            raise id_conflict("该 id 已用于另一条记录")
        return shape(old)

    if (stored := await replay_existing(session, PrincipalAction, data.id, replay)) is not None:
        return stored, False
    row = PrincipalAction(id=data.id or uuid.uuid4(), created_by=actor.user_id, **fields)
    if (stored := await insert_once(session, row, replay)) is not None:
        return stored, False
    _record(session, actor, row, fields)
    return shape(row), True


def _record(
    session: AsyncSession, actor: Actor, row: PrincipalAction, fields: dict[str, Any]
) -> None:
    audit.record(
        session,
        actor=actor,
        action="create",
        object_type="principal_action",
        object_id=row.id,
        changes=audit.diff({}, fields),
    )
    audit.emit(
        session,
        topic="principal_action.created",
        object_type="principal_action",
        object_id=row.id,
        payload={"enterprise_id": str(row.enterprise_id), "action": row.action},
    )


async def list_actions(
    session: AsyncSession,
    *,
    actor: Actor,
    enterprise_id: uuid.UUID,
    year: int | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[dict[str, Any]], str | None]:
    require_permission(actor, Permission.RECORD_READ)
    ent = await visible_enterprise(session, actor=actor, enterprise_id=enterprise_id)
    stmt = select(PrincipalAction).where(PrincipalAction.enterprise_id == ent.id)
    if year is not None:
        stmt = stmt.where(PrincipalAction.acted_on.between(date(year, 1, 1), date(year, 12, 31)))
    rows, nxt = await keyset_page(
        session,
        stmt,
        order=[PrincipalAction.acted_on, PrincipalAction.id],
        limit=limit,
        cursor=cursor,
        descending=True,
    )
    return [shape(r) for r in rows], nxt


def coverage_counts(in_scope: Any, year: int, on: date) -> Select[int, int]:
    """One row (`any`, `all_five`): enterprises with any 五带头 record in the year up to
    `on`, and with all five; `in_scope` a condition on `PrincipalAction.enterprise_id`."""
    per = (
        select(
            PrincipalAction.enterprise_id.label("eid"),
            func.count(func.distinct(PrincipalAction.action)).label("kinds"),
        )
        .where(
            in_scope,
            PrincipalAction.acted_on.between(date(year, 1, 1), min(on, date(year, 12, 31))),
        )
        .group_by(PrincipalAction.enterprise_id)
        .subquery()
    )
    all_five = func.count().filter(per.c.kinds >= len(FIVE_LEAD_LABELS))
    return select(func.count().label("any"), all_five.label("all_five")).select_from(per)
