"""The overview's figures counted on the ledger, for scopes that are not whole grids (an
enterprise head: one enterprise's few hundred hazards through ix_hazards_enterprise_found),
and the portable median (SQLite). Rows are shaped like their twins in stats/rollup.py."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.enterprise import Enterprise
from app.models.hazard import Hazard
from app.rules.calendar import utc_bounds
from app.services.policy import Actor, stats_enterprise_scope
from app.services.stats.common import (
    days_between,
    dimension_sums,
    is_closed,
    is_overdue,
    scoped_enterprises,
    tally_keys,
    tally_sums,
)


async def cube(session: AsyncSession, actor: Actor) -> list[Any]:
    """Tally rows (stats/common.py TALLY_KINDS) counted on the ledger: the (grid, sector)
    cells and the status and level rows over the scope's hazards with their enterprise, the
    source and category rows over the scope's hazards."""
    one = literal(1)
    joined = (
        select()
        .select_from(Hazard)
        .join(Enterprise, Enterprise.id == Hazard.enterprise_id)
        .where(stats_enterprise_scope(actor))
    )
    cells = joined.add_columns(
        *tally_keys("cell", Enterprise.grid_id, Enterprise.sector),
        *tally_sums(Hazard.status, Hazard.level, one),
    ).group_by(Enterprise.grid_id, Enterprise.sector)
    dims = [
        joined.add_columns(*tally_keys(name, value=col), *dimension_sums(one)).group_by(col)
        for name, col in (("status", Hazard.status), ("level", Hazard.level))
    ]
    scoped = Hazard.enterprise_id.in_(scoped_enterprises(actor))
    facets = [
        select(*tally_keys(name, value=col), *dimension_sums(one)).where(scoped).group_by(col)
        for name, col in (("source", Hazard.source), ("category", Hazard.category))
    ]
    stmt: Any = union_all(cells, *dims, *facets)
    return list(await session.execute(stmt))


async def overdue(session: AsyncSession, actor: Actor, today: date) -> list[Any]:
    """(grid_id, sector, overdue hazards)."""
    stmt = (
        select(Enterprise.grid_id, Enterprise.sector, func.count())
        .select_from(Hazard)
        .join(Enterprise, Enterprise.id == Hazard.enterprise_id)
        .where(is_overdue(today), stats_enterprise_scope(actor))
        .group_by(Enterprise.grid_id, Enterprise.sector)
    )
    return list(await session.execute(stmt))


async def closed_since(session: AsyncSession, actor: Actor, start: date, end: date) -> int:
    lo, hi = utc_bounds(start, end)
    where = [is_closed(), Hazard.closed_at >= lo, Hazard.closed_at < hi]
    where.append(Hazard.enterprise_id.in_(scoped_enterprises(actor)))
    return int(await session.scalar(select(func.count()).select_from(Hazard).where(*where)) or 0)


def _closed_of_level(actor: Actor, level: str) -> list[Any]:
    return [
        Hazard.enterprise_id.in_(scoped_enterprises(actor)),
        is_closed(),
        Hazard.closed_at.is_not(None),
        Hazard.level == level,
    ]


async def _median_pg(session: AsyncSession, actor: Actor, level: str) -> float | None:
    """Count and middle values in ONE statement (one snapshot)."""
    where = _closed_of_level(actor, level)
    span = Hazard.closed_at - Hazard.found_at
    n = select(func.count()).select_from(Hazard).where(*where).scalar_subquery()
    stmt = select(n, span).where(*where).order_by(span).offset((n - 1) // 2).limit(2)
    rows = (await session.execute(stmt)).all()
    if not rows:
        return None
    count = int(rows[0][0])
    values: list[float] = [r[1].total_seconds() / 86400 for r in rows[: 2 - count % 2]]
    return round(sum(values) / len(values), 2)


async def median(session: AsyncSession, actor: Actor, level: str) -> float | None:
    """Median days from found to closed: ORDER BY … OFFSET to the middle (the mean of the two
    middle values when even)."""
    if session.get_bind().dialect.name == "postgresql":
        return await _median_pg(session, actor, level)
    where = _closed_of_level(actor, level)
    n = int(await session.scalar(select(func.count()).where(*where)) or 0)
    if n == 0:
        return None
    span = days_between(session, Hazard.found_at, Hazard.closed_at)
    stmt = select(span).where(*where).order_by(span).offset((n - 1) // 2).limit(2 - n % 2)
    values = [float(v) for v in (await session.scalars(stmt)).all()]
    return round(sum(values) / len(values), 2)
