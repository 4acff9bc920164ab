"""GET /stats/hazards: hazards found in a date range, grouped for charts (SQL GROUP BY)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import Unprocessable
from app.models.enterprise import Enterprise
from app.models.grid import Grid
from app.models.hazard import Hazard
from app.rules.calendar import today_in_shanghai, utc_bounds
from app.services.policy import Actor
from app.services.stats.common import (
    authorize,
    is_closed,
    is_open,
    is_overdue,
    scoped_enterprises,
    shanghai_month,
)


class GroupBy(StrEnum):
    month = "month"
    grid = "grid"
    sector = "sector"
    category = "category"
    enterprise = "enterprise"


def _keys(session: AsyncSession, group_by: GroupBy) -> tuple[Any, Any]:
    """(key column, label column) of a grouping."""
    if group_by == GroupBy.month:
        month = shanghai_month(session, Hazard.found_at)
        return month, month
    if group_by == GroupBy.grid:
        return Grid.id, Grid.name
    if group_by == GroupBy.sector:
        return Enterprise.sector, Enterprise.sector
    if group_by == GroupBy.category:
        return Hazard.category, Hazard.category
    return Enterprise.id, Enterprise.name


def _range(date_from: date | None, date_to: date | None, today: date) -> tuple[date, date]:
    """(from, to), Shanghai dates, inclusive; default this year so far."""
    start = date_from or date(today.year, 1, 1)
    end = date_to or today
    if end < start:
        raise Unprocessable(
            "结束日期不能早于开始日期",
            "`to` must not be before `from`",
            code="invalid_range",
            field=["query", "to"],
        )
    return start, end


def _item(k: Any, label: Any, n: Any, m: Any, o: Any, c: Any, od: Any) -> dict[str, Any]:
    return {
        "key": str(k),
        "label": str(label),
        "found": int(n),
        "major": int(m or 0),
        "open": int(o or 0),
        "closed": int(c or 0),
        "overdue": int(od or 0),
    }


def _series_stmt(
    session: AsyncSession, actor: Actor, group_by: GroupBy, lo: Any, hi: Any, today: date
) -> tuple[Any, Any]:
    """(statement, count column) of the grouped counts."""
    key, label = _keys(session, group_by)
    found = func.count(Hazard.id)
    stmt = (
        select(
            key,
            label,
            found,
            func.sum(case((Hazard.level == "major", 1), else_=0)),
            func.sum(case((is_open(), 1), else_=0)),
            func.sum(case((is_closed(), 1), else_=0)),
            func.sum(case((is_overdue(today), 1), else_=0)),
        )
        .select_from(Hazard)
        .join(Enterprise, Enterprise.id == Hazard.enterprise_id)
        .join(Grid, Grid.id == Enterprise.grid_id)
        .where(Hazard.enterprise_id.in_(scoped_enterprises(actor)))
        .where(Hazard.found_at >= lo, Hazard.found_at < hi)
        .group_by(key, label)
    )
    return stmt, (key, found)


async def hazard_series(
    session: AsyncSession,
    *,
    actor: Actor,
    group_by: GroupBy,
    date_from: date | None,
    date_to: date | None,
    limit: int,
) -> dict[str, Any]:
    """Counts per group of hazards found between `date_from` and `date_to` (Shanghai dates,
    inclusive; default this year so far). Enterprise grouping keeps the `limit` largest."""
    authorize(actor)
    today = today_in_shanghai()
    start, end = _range(date_from, date_to, today)
    lo, hi = utc_bounds(start, end)
    stmt, (key, found) = _series_stmt(session, actor, group_by, lo, hi, today)
    if group_by == GroupBy.enterprise:
        stmt = stmt.order_by(found.desc(), key).limit(limit)
    else:
        stmt = stmt.order_by(key)
    items = [_item(*row) for row in await session.execute(stmt)]
    return {"group_by": group_by, "from": start, "to": end, "items": items}
