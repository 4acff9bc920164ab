"""GET /stats/overview: the ledger in numbers over the caller's scope (SQL aggregates only)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.enterprise import Enterprise
from app.models.grid import Grid
from app.models.hazard import Hazard
from app.rules.calendar import today_in_shanghai, utc_bounds
from app.services.policy import Actor
from app.services.stats.common import (
    authorize,
    counts,
    days_between,
    is_closed,
    is_open,
    is_overdue,
    scoped_enterprises,
)


def _sums(today: date) -> list[Any]:
    major = Hazard.level == "major"
    return [
        func.count(Hazard.id),
        func.coalesce(func.sum(case((is_open(), 1), else_=0)), 0),
        func.coalesce(func.sum(case(((major & is_open()), 1), else_=0)), 0),
        func.coalesce(func.sum(case((is_overdue(today), 1), else_=0)), 0),
        func.coalesce(func.sum(case((is_closed(), 1), else_=0)), 0),
    ]


async def _grouped(session: AsyncSession, ents: Any, col: Any) -> dict[str, int]:
    rows = await session.execute(
        select(col, func.count()).where(Hazard.enterprise_id.in_(ents)).group_by(col)
    )
    return counts(rows)


async def median_days_to_close(session: AsyncSession, ents: Any) -> dict[str, float | None]:
    """Median days from found to closed, per level: ORDER BY … OFFSET in SQL, both DBs."""
    out: dict[str, float | None] = {}
    for level in ("general", "major"):
        where = (
            Hazard.enterprise_id.in_(ents),
            is_closed(),
            Hazard.closed_at.is_not(None),
            Hazard.level == level,
        )
        n = int(await session.scalar(select(func.count()).where(*where)) or 0)
        if n == 0:
            out[level] = None
            continue
        span = days_between(session, Hazard.found_at, Hazard.closed_at)
        stmt = select(span).where(*where).order_by(span).offset((n - 1) // 2).limit(2 - n % 2)
        values = [float(v) for v in (await session.scalars(stmt)).all()]
        out[level] = round(sum(values) / len(values), 2)
    return out


async def _breakdown(session: AsyncSession, ents: Any, today: date, key: Any, *extra: Any) -> Any:
    stmt = (
        select(key, *extra, func.count(func.distinct(Enterprise.id)), *_sums(today))
        .select_from(Enterprise)
        .join(Grid, Grid.id == Enterprise.grid_id)
        .outerjoin(Hazard, Hazard.enterprise_id == Enterprise.id)
        .where(Enterprise.id.in_(ents))
        .group_by(key, *extra)
        .order_by(key)
    )
    return await session.execute(stmt)


def _row(n_ent: Any, total: Any, open_: Any, major: Any, over: Any, closed: Any) -> dict[str, int]:
    return {
        "enterprises": int(n_ent),
        "hazards": int(total),
        "hazards_open": int(open_),
        "major_open": int(major),
        "overdue": int(over),
        "closed": int(closed),
    }


async def overview(session: AsyncSession, *, actor: Actor) -> dict[str, Any]:
    authorize(actor)
    today = today_in_shanghai()
    ents = scoped_enterprises(actor)
    n_ent = await session.scalar(select(func.count()).select_from(ents.subquery()))
    _, open_, major, over, closed = (
        await session.execute(select(*_sums(today)).where(Hazard.enterprise_id.in_(ents)))
    ).one()
    lo, hi = utc_bounds(date(today.year, 1, 1), today)
    closed_year = await session.scalar(
        select(func.count()).where(
            Hazard.enterprise_id.in_(ents),
            is_closed(),
            Hazard.closed_at >= lo,
            Hazard.closed_at < hi,
        )
    )
    grids = await _breakdown(session, ents, today, Grid.id, Grid.name)
    sectors = await _breakdown(session, ents, today, Enterprise.sector)
    return {
        "as_of": today,
        "enterprises": int(n_ent or 0),
        "hazards_open": int(open_),
        "major_open": int(major),
        "overdue": int(over),
        "closed": int(closed),
        "closed_this_year": int(closed_year or 0),
        "by_status": await _grouped(session, ents, Hazard.status),
        "by_level": await _grouped(session, ents, Hazard.level),
        "by_source": await _grouped(session, ents, Hazard.source),
        "by_category": await _grouped(session, ents, Hazard.category),
        "median_days_to_close": await median_days_to_close(session, ents),
        "by_grid": [
            {"grid_id": gid, "grid_name": name, **_row(*rest)} for gid, name, *rest in grids
        ],
        "by_sector": [{"sector": sector, **_row(*rest)} for sector, *rest in sectors],
    }
