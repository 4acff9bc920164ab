"""What an inspection fulfils (a plan item, a published draw) and the item's per-enterprise
yearly cap (plan §三(七)14 精准执法: no enterprise is inspected for one item more often than the
plan allows), which binds routine inspections only — a complaint or a referral is always
followed up (§四(三) 群防群治)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import Unprocessable
from app.models.inspection import Inspection
from app.models.inspection_plan import (
    InspectionDraw,
    InspectionPlan,
    InspectionPlanItem,
    InspectionTrigger,
)
from app.rules.calendar import SHANGHAI, utc_bounds


def _refuse(zh: str, en: str, code: str, loc: str, **extra: object) -> Unprocessable:
    return Unprocessable(zh, en, code=code, field=["body", loc], extra=extra or None)


async def _item_of_draw(
    session: AsyncSession, draw_id: uuid.UUID, enterprise_id: uuid.UUID
) -> uuid.UUID | None:
    draw = await session.get(InspectionDraw, draw_id)
    if draw is None:
        raise _refuse("抽取记录不存在", "Unknown draw", "unknown_draw", "draw_id")
    if str(enterprise_id) not in {p["enterprise_id"] for p in draw.result}:
        raise _refuse(
            "该企业未在此次双随机抽取中被抽中",
            "The enterprise was not drawn in this draw",
            "not_drawn",
            "draw_id",
        )
    return draw.plan_item_id


async def check_plan_links(
    session: AsyncSession,
    *,
    enterprise_id: uuid.UUID,
    plan_item_id: uuid.UUID | None,
    draw_id: uuid.UUID | None,
    trigger: str,
    started_at: datetime,
) -> uuid.UUID | None:
    """Validate the references and the cap; the plan item the inspection counts against."""
    if draw_id is not None:
        drawn_item = await _item_of_draw(session, draw_id, enterprise_id)
        plan_item_id = plan_item_id or drawn_item
    if plan_item_id is None:
        return None
    item = await session.get(InspectionPlanItem, plan_item_id)
    if item is None:
        raise _refuse("检查事项不存在", "Unknown plan item", "unknown_plan_item", "plan_item_id")
    plan = await session.get(InspectionPlan, item.plan_id)
    year = started_at.astimezone(SHANGHAI).year
    if plan is None or plan.year != year:
        raise _refuse(
            "检查事项不属于检查当年的计划",
            "The plan item is not of the inspection's year",
            "plan_year_mismatch",
            "plan_item_id",
        )
    if item.yearly_cap is not None and trigger == InspectionTrigger.routine.value:
        await _enforce_cap(session, item, enterprise_id, year)
    return item.id


async def _enforce_cap(
    session: AsyncSession, item: InspectionPlanItem, enterprise_id: uuid.UUID, year: int
) -> None:
    lo, hi = utc_bounds(date(year, 1, 1), date(year, 12, 31))
    done = await session.scalar(
        select(func.count()).where(
            Inspection.plan_item_id == item.id,
            Inspection.enterprise_id == enterprise_id,
            Inspection.trigger == InspectionTrigger.routine.value,
            Inspection.started_at >= lo,
            Inspection.started_at < hi,
        )
    )
    if int(done or 0) >= (cap := item.yearly_cap or 0):
        raise _refuse(
            f"该企业{year}年已因“{item.name}”接受{done}次计划内检查，"
            f"达到每年{cap}次的上限（投诉举报、转办交办引起的检查不受此限）",
            f"Yearly cap reached: {done} routine inspections for this item in {year} "
            f"(cap {cap}); complaint- or referral-driven inspections are exempt",
            "inspection_cap_reached",
            "plan_item_id",
            cap=cap,
            done=int(done or 0),
        )
