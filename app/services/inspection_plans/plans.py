"""Yearly inspection plans with their items and the 重点检查 list (plan §三(七)14: 分级确定
重点检查企业名单，实现重大安全风险全覆盖)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import Conflict, NotFound, Unprocessable
from app.models.enterprise import Enterprise
from app.models.inspection import Inspection, InspectionKind
from app.models.inspection_plan import (
    KEY_LEVEL_LABELS,
    TRIGGER_LABELS,
    InspectionPlan,
    InspectionPlanItem,
    KeyLevel,
    KeyListEntry,
)
from app.rules.calendar import today_in_shanghai, utc_bounds
from app.rules.draws import key_list_coverage
from app.rules.enterprise_kinds import Tier
from app.schemas.inspection_plan import KeyListPut, PlanCreate, PlanItemIn
from app.services import audit, meta
from app.services.pagination import keyset_page
from app.services.policy import Actor, Permission, require_permission

meta.register("key_level", {k.value: v for k, v in KEY_LEVEL_LABELS.items()})
meta.register("inspection_trigger", {k.value: v for k, v in TRIGGER_LABELS.items()})

# Visits that count for the key list: the supervisors' own (not the enterprise's self-checks).
VISIT_KINDS = (
    InspectionKind.enforcement.value,
    InspectionKind.assistance.value,
    InspectionKind.grid_patrol.value,
)


async def get_plan(session: AsyncSession, *, actor: Actor, plan_id: uuid.UUID) -> InspectionPlan:
    require_permission(actor, Permission.PLAN_MANAGE)
    plan = await session.get(InspectionPlan, plan_id)
    if plan is None:
        raise NotFound("检查计划不存在", "Inspection plan not found")
    return plan


async def items_of(session: AsyncSession, plan_ids: list[uuid.UUID]) -> dict[Any, list[Any]]:
    out: dict[Any, list[Any]] = defaultdict(list)
    stmt = (
        select(InspectionPlanItem)
        .where(InspectionPlanItem.plan_id.in_(plan_ids))
        .order_by(InspectionPlanItem.created_at, InspectionPlanItem.id)
    )
    for item in await session.scalars(stmt):
        out[item.plan_id].append(item)
    return out


def shape(plan: InspectionPlan, items: list[InspectionPlanItem]) -> dict[str, Any]:
    keys = ("id", "year", "jurisdiction", "title", "note", "created_at")
    return {**{k: getattr(plan, k) for k in keys}, "items": items}


def _item(plan_id: uuid.UUID, data: PlanItemIn) -> InspectionPlanItem:
    return InspectionPlanItem(id=uuid.uuid4(), plan_id=plan_id, **data.model_dump())


async def create_plan(
    session: AsyncSession, *, actor: Actor, data: PlanCreate
) -> tuple[dict[str, Any], bool]:
    """A plan with its items; the key list starts as the 区级重点 enterprises (editable)."""
    require_permission(actor, Permission.PLAN_MANAGE)
    if data.id is not None and (existing := await session.get(InspectionPlan, data.id)):
        if (existing.year, existing.jurisdiction) != (data.year, data.jurisdiction):
            raise Conflict("该 id 已用于另一检查计划", "Id already used", code="id_conflict")
        return shape(existing, (await items_of(session, [existing.id]))[existing.id]), False
    fields = data.model_dump(exclude={"id", "items"})
    plan = InspectionPlan(id=data.id or uuid.uuid4(), created_by=actor.user_id, **fields)
    session.add(plan)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        raise Conflict(
            f"{data.jurisdiction}{data.year}年度检查计划已存在",
            "A plan for this jurisdiction and year exists",
            code="plan_exists",
        ) from exc
    items = [_item(plan.id, i) for i in data.items]
    session.add_all(items)
    district = select(Enterprise.id).where(Enterprise.tier == Tier.DISTRICT_KEY.value)
    for eid in await session.scalars(district):
        session.add(KeyListEntry(plan_id=plan.id, enterprise_id=eid, level=KeyLevel.district))
    await session.flush()
    audit.record(
        session,
        actor=actor,
        action="create",
        object_type="inspection_plan",
        object_id=plan.id,
        changes=audit.diff({}, {**fields, "items": len(items)}),
    )
    audit.emit(
        session, topic="inspection_plan.created", object_type="inspection_plan", object_id=plan.id
    )
    return shape(plan, items), True


async def list_plans(
    session: AsyncSession, *, actor: Actor, year: int | None, limit: int, cursor: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    require_permission(actor, Permission.PLAN_MANAGE)
    stmt = select(InspectionPlan)
    if year is not None:
        stmt = stmt.where(InspectionPlan.year == year)
    rows, nxt = await keyset_page(
        session,
        stmt,
        order=[InspectionPlan.year, InspectionPlan.id],
        limit=limit,
        cursor=cursor,
        descending=True,
    )
    items = await items_of(session, [p.id for p in rows])
    return [shape(p, items[p.id]) for p in rows], nxt


async def add_item(
    session: AsyncSession, *, actor: Actor, plan_id: uuid.UUID, data: PlanItemIn
) -> InspectionPlanItem:
    plan = await get_plan(session, actor=actor, plan_id=plan_id)
    item = _item(plan.id, data)
    session.add(item)
    await session.flush()
    audit.record(
        session,
        actor=actor,
        action="create",
        object_type="inspection_plan_item",
        object_id=item.id,
        changes=audit.diff({}, {"plan_id": plan.id, **data.model_dump()}),
    )
    return item


async def put_key_list(
    session: AsyncSession, *, actor: Actor, plan_id: uuid.UUID, data: KeyListPut
) -> dict[str, Any]:
    """Replace the plan's 重点检查 list (区级重点 and 街道重点 enterprises)."""
    plan = await get_plan(session, actor=actor, plan_id=plan_id)
    wanted = {e.enterprise_id: e.level for e in data.entries}
    known = set(await session.scalars(select(Enterprise.id).where(Enterprise.id.in_(wanted))))
    if unknown := sorted(str(e) for e in set(wanted) - known):
        raise Unprocessable(
            "企业不存在",
            "Unknown enterprise",
            code="unknown_enterprise",
            extra={"unknown": unknown},
        )
    before = await _levels(session, plan.id)
    await session.execute(delete(KeyListEntry).where(KeyListEntry.plan_id == plan.id))
    for eid, level in wanted.items():
        session.add(KeyListEntry(plan_id=plan.id, enterprise_id=eid, level=level.value))
    await session.flush()
    after = {str(k): v.value for k, v in wanted.items()}
    audit.record(
        session,
        actor=actor,
        action="update",
        object_type="inspection_key_list",
        object_id=plan.id,
        changes={"entries": {"before": before, "after": after}},
    )
    return await coverage(session, actor=actor, plan_id=plan.id)


async def _levels(session: AsyncSession, plan_id: uuid.UUID) -> dict[str, str]:
    rows = await session.execute(
        select(KeyListEntry.enterprise_id, KeyListEntry.level).where(
            KeyListEntry.plan_id == plan_id
        )
    )
    return {str(e): lv for e, lv in rows}


async def last_visits(session: AsyncSession, ents: Any, year: int) -> dict[uuid.UUID, datetime]:
    lo, hi = utc_bounds(date(year, 1, 1), date(year, 12, 31))
    stmt = (
        select(Inspection.enterprise_id, func.max(Inspection.started_at))
        .where(
            Inspection.enterprise_id.in_(ents),
            Inspection.kind.in_(VISIT_KINDS),
            Inspection.started_at >= lo,
            Inspection.started_at < hi,
        )
        .group_by(Inspection.enterprise_id)
    )
    return {row[0]: row[1] for row in (await session.execute(stmt)).all()}


async def coverage(session: AsyncSession, *, actor: Actor, plan_id: uuid.UUID) -> dict[str, Any]:
    """The key list with who is still unvisited this year and the days left (全覆盖)."""
    plan = await get_plan(session, actor=actor, plan_id=plan_id)
    rows = (
        await session.execute(
            select(KeyListEntry.enterprise_id, KeyListEntry.level, Enterprise.name)
            .join(Enterprise, Enterprise.id == KeyListEntry.enterprise_id)
            .where(KeyListEntry.plan_id == plan.id)
            .order_by(Enterprise.name, Enterprise.id)
        )
    ).all()
    ids = [r[0] for r in rows]
    visits = await last_visits(session, ids, plan.year)
    today = today_in_shanghai()
    cov = key_list_coverage(
        [str(i) for i in ids], {str(i) for i in visits}, today=today, year=plan.year
    )
    entries = [
        {
            "enterprise_id": eid,
            "enterprise_name": name,
            "level": level,
            "visited": eid in visits,
            "last_visit_at": visits.get(eid),
        }
        for eid, level, name in rows
    ]
    return {
        "plan_id": plan.id,
        "year": plan.year,
        "as_of": today,
        "total": cov.total,
        "covered": cov.covered,
        "rate": cov.rate,
        "days_left": cov.days_left,
        "unvisited": [uuid.UUID(u) for u in cov.unvisited],
        "entries": entries,
    }
