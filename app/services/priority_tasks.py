"""The year's 整治重点任务 (plan §三(三)5: 突出高风险领域、高风险场所及有限空间作业、高处作业、
动火作业等高风险作业，每年明确整治重点任务) and their progress, for statistics and bulletins."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    column,
    exists,
    func,
    literal,
    or_,
    select,
    true,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.enterprise import Enterprise
from app.models.hazard import Hazard
from app.models.inspection import Inspection
from app.models.priority_task import FOCUS_KIND_LABELS, FocusKind, PriorityTask
from app.rules.calendar import utc_bounds
from app.schemas.plan_records import PriorityTaskCreate
from app.services import audit, meta
from app.services.compliance.facts import OPEN_STATES
from app.services.enterprises import has_any_feature
from app.services.insert_once import id_conflict, insert_once, replay_existing
from app.services.inspection_plans.plans import VISIT_KINDS
from app.services.policy import Actor, Permission, require_permission

meta.register("priority_focus", {k.value: v for k, v in FOCUS_KIND_LABELS.items()})

CITATION = (
    "实施方案 三(三)5：坚持“小切口、抓关键”，突出有限空间作业、高处作业、动火作业等"
    "高风险作业，每年明确整治重点任务"
)


def _cites(session: AsyncSession, codes: list[str]) -> ColumnElement[bool]:
    """The hazard's determination basis cites one of `codes` (判定标准条款)."""
    if session.get_bind().dialect.name == "postgresql":
        col = type_coerce(Hazard.basis, JSONB)["item_codes"]
        return or_(*(col.contains([c]) for c in codes))
    values = func.json_each(Hazard.basis, literal("$.item_codes")).table_valued("value")
    return exists(select(literal(1)).select_from(values).where(column("value").in_(codes)))


def _scope(session: AsyncSession, task: PriorityTask) -> tuple[Any, ColumnElement[bool]]:
    """(enterprise filter, hazard filter) of a task's focus."""
    values = list(task.focus_values)
    if task.focus_kind == FocusKind.sector.value:
        return Enterprise.sector.in_(values), true()
    if task.focus_kind == FocusKind.feature.value:
        return has_any_feature(session, values), true()
    if task.focus_kind == FocusKind.hazard_category.value:
        return true(), Hazard.category.in_(values)
    return true(), _cites(session, values)


async def progress(session: AsyncSession, task: PriorityTask) -> dict[str, int]:
    ent_filter, hazard_filter = _scope(session, task)
    ents = select(Enterprise.id).where(ent_filter)
    lo, hi = utc_bounds(date(task.year, 1, 1), date(task.year, 12, 31))
    visited = select(func.count(func.distinct(Inspection.enterprise_id))).where(
        Inspection.enterprise_id.in_(ents),
        Inspection.kind.in_(VISIT_KINDS),
        Inspection.started_at >= lo,
        Inspection.started_at < hi,
    )
    if task.focus_kind in (FocusKind.hazard_category.value, FocusKind.checklist_item.value):
        # A work-type focus is followed where such hazards were found this year.
        with_hazard = select(Hazard.enterprise_id).where(hazard_filter, Hazard.found_at >= lo)
        visited = visited.where(Inspection.enterprise_id.in_(with_hazard))
    hz = and_(Hazard.enterprise_id.in_(ents), hazard_filter)
    found = and_(hz, Hazard.found_at >= lo, Hazard.found_at < hi)
    row = (
        await session.execute(
            select(
                func.count().filter(found),
                func.count().filter(and_(found, Hazard.closed_at.is_not(None))),
                func.count().filter(
                    and_(hz, Hazard.level == "major", Hazard.status.in_(OPEN_STATES))
                ),
            ).select_from(Hazard)
        )
    ).one()
    n_ents = await session.scalar(select(func.count()).select_from(ents.subquery()))
    return {
        "enterprises": int(n_ents or 0),
        "inspected": int(await session.scalar(visited) or 0),
        "hazards_found": int(row[0]),
        "hazards_closed": int(row[1]),
        "major_open": int(row[2]),
    }


async def shape(session: AsyncSession, task: PriorityTask) -> dict[str, Any]:
    prog = await progress(session, task)
    keys = ("id", "year", "title", "focus_kind", "focus_values", "target_inspected", "target_note")
    met = None if task.target_inspected is None else prog["inspected"] >= task.target_inspected
    return {
        **{k: getattr(task, k) for k in keys},
        "citation": CITATION,
        "progress": prog,
        "met": met,
    }


async def create_task(
    session: AsyncSession, *, actor: Actor, data: PriorityTaskCreate
) -> tuple[dict[str, Any], bool]:
    require_permission(actor, Permission.PLAN_MANAGE)
    fields = data.model_dump(exclude={"id"}, mode="json")

    async def replay(old: PriorityTask) -> dict[str, Any]:
        if any(getattr(old, k) != v for k, v in fields.items()):
            raise id_conflict("该 id 已用于另一任务")
        return await shape(session, old)

    if (stored := await replay_existing(session, PriorityTask, data.id, replay)) is not None:
        return stored, False
    task = PriorityTask(id=data.id or uuid.uuid4(), created_by=actor.user_id, **fields)
    if (stored := await insert_once(session, task, replay)) is not None:
        return stored, False
    audit.record(
        session,
        actor=actor,
        action="create",
        object_type="priority_task",
        object_id=task.id,
        changes=audit.diff({}, fields),
    )
    audit.emit(
        session, topic="priority_task.created", object_type="priority_task", object_id=task.id
    )
    return await shape(session, task), True


async def list_tasks(session: AsyncSession, *, actor: Actor, year: int) -> list[dict[str, Any]]:
    """The year's tasks with their progress (a handful a year: no paging)."""
    require_permission(actor, Permission.PLAN_MANAGE)
    return await tasks_of_year(session, year)


async def tasks_of_year(session: AsyncSession, year: int) -> list[dict[str, Any]]:
    stmt = (
        select(PriorityTask)
        .where(PriorityTask.year == year)
        .order_by(PriorityTask.created_at, PriorityTask.id)
    )
    return [await shape(session, t) for t in await session.scalars(stmt)]
