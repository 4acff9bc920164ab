"""GET /stats/overview: the ledger in numbers over the caller's scope (SQL aggregates only).

Cost (bench/README.md "Full scale"): every figure is derived in Python from small aggregates
— the enterprises per (grid, sector); the `hazard_counts` rollup (issue 6, migration 0009,
kept exact in each hazard write's transaction by app/services/hazard_counts.py) grouped by
grid, sector and the hazard dimensions, instead of a pass over the whole ledger; and the
time-dependent figures (overdue, closed this year, the medians) as index-served queries on
the hazards. Nothing is cached: each figure group is one statement over committed data.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import String, Uuid, cast, func, null, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import True_

from app.models.enterprise import Enterprise
from app.models.grid import Grid
from app.models.hazard import Hazard, HazardStatus
from app.models.hazard_counts import HazardCount
from app.rules.calendar import today_in_shanghai, utc_bounds
from app.services.compliance.facts import OPEN_STATES
from app.services.policy import Actor, stats_enterprise_scope
from app.services.stats.common import (
    authorize,
    days_between,
    is_closed,
    is_overdue,
    scoped_enterprises,
)

_FIELDS = ("hazards", "hazards_open", "major_open", "overdue", "closed")


@dataclass
class _Tally:
    """Hazard counts of one group (the whole scope, a grid, a sector)."""

    n: Counter[str] = field(default_factory=Counter)

    def add(self, status: str, level: str, count: int) -> None:
        open_ = status in OPEN_STATES
        self.n["hazards"] += count
        self.n["hazards_open"] += count if open_ else 0
        self.n["major_open"] += count if open_ and level == "major" else 0
        self.n["closed"] += count if status == HazardStatus.closed.value else 0

    def row(self, enterprises: int) -> dict[str, int]:
        return {"enterprises": enterprises, **{k: self.n[k] for k in _FIELDS}}


def _main_cube(actor: Actor) -> Any:
    """(grid_id, sector, status, level, NULL, NULL, count) from the scoped rollup cells."""
    keys = (Enterprise.grid_id, Enterprise.sector, HazardCount.status, HazardCount.level)
    total = func.sum(HazardCount.n)
    return (
        select(*keys, _null(String), _null(String), total)
        .select_from(HazardCount)
        .join(Enterprise, Enterprise.id == HazardCount.enterprise_id)
        .where(stats_enterprise_scope(actor))
        .group_by(*keys)
        .having(total > 0)
    )


def _dimension(actor: Actor, column: Any, *, first: bool) -> Any:
    """(NULL × 4, source or NULL, category or NULL, count): one dimension over the scope, a
    semi-join (none for the whole jurisdiction, every hazard's enterprise is in it)."""
    total = func.sum(HazardCount.n)
    null4 = (_null(Uuid), _null(String), _null(String), _null(String))
    cols = (column, _null(String)) if first else (_null(String), column)
    stmt = select(*null4, *cols, total).group_by(column).having(total > 0)
    if not isinstance(stats_enterprise_scope(actor), True_):
        stmt = stmt.where(HazardCount.enterprise_id.in_(scoped_enterprises(actor)))
    return stmt


def _null(type_: Any) -> Any:
    return cast(null(), type_)


async def _cube(session: AsyncSession, actor: Actor) -> list[Any]:
    """Rows (grid_id, sector, status, level, source, category, count): either the first four
    are set (the main cube) or only `source` or only `category` is. Summed from the rollup
    (migration 0009), not the ledger; groups whose cells all fell to 0 are left out, as a
    GROUP BY over the hazards would never produce them. One statement (one snapshot): a UNION
    ALL, whose branches PostgreSQL aggregates in parallel — GROUPING SETS over the joined
    rollup could not be (1.6 s against 0.8 s at 1,000,000 hazards, bench/README.md)."""
    stmt = union_all(
        _main_cube(actor),
        _dimension(actor, HazardCount.source, first=True),
        _dimension(actor, HazardCount.category, first=False),
    )
    return list(await session.execute(stmt))


async def _overdue(session: AsyncSession, actor: Actor, today: date) -> list[Any]:
    """(grid_id, sector, overdue hazards): time-dependent, so counted on the ledger, a range
    on ix_hazards_status_deadline (status, deadline)."""
    stmt = (
        select(Enterprise.grid_id, Enterprise.sector, func.count())
        .select_from(Hazard)
        .join(Enterprise, Enterprise.id == Hazard.enterprise_id)
        .where(is_overdue(today), stats_enterprise_scope(actor))
        .group_by(Enterprise.grid_id, Enterprise.sector)
    )
    return list(await session.execute(stmt))


async def _closed_this_year(session: AsyncSession, actor: Actor, today: date) -> int:
    """Closed since 1 January (Shanghai): a range on ix_hazards_status_closed (migration 0009)."""
    lo, hi = utc_bounds(date(today.year, 1, 1), today)
    where = [is_closed(), Hazard.closed_at >= lo, Hazard.closed_at < hi]
    if not isinstance(stats_enterprise_scope(actor), True_):
        where.append(Hazard.enterprise_id.in_(scoped_enterprises(actor)))
    return int(await session.scalar(select(func.count()).select_from(Hazard).where(*where)) or 0)


def _closed_of_level(actor: Actor, level: str) -> list[Any]:
    where = [is_closed(), Hazard.closed_at.is_not(None), Hazard.level == level]
    scope = stats_enterprise_scope(actor)
    if not isinstance(scope, True_):
        where.append(Hazard.enterprise_id.in_(scoped_enterprises(actor)))
    # Whole jurisdiction: every hazard belongs to an enterprise (NOT NULL foreign key), so
    # the semi-join to enterprises is left out and the median stays an index-only walk.
    return where


async def _median_pg(session: AsyncSession, actor: Actor, level: str) -> float | None:
    """Count and middle values in ONE statement (one snapshot), walking ix_hazards_close_span
    (status, level, closed_at - found_at) to the middle instead of sorting (migration 0008)."""
    where = _closed_of_level(actor, level)
    span = Hazard.closed_at - Hazard.found_at
    n = select(func.count()).select_from(Hazard).where(*where).scalar_subquery()
    stmt = select(n, span).where(*where).order_by(span).offset((n - 1) // 2).limit(2)
    rows = (await session.execute(stmt)).all()
    if not rows:
        return None
    count = int(rows[0][0])
    # Same arithmetic as the portable path: days as a float, mean of the middle pair if even.
    values: list[float] = [r[1].total_seconds() / 86400 for r in rows[: 2 - count % 2]]
    return round(sum(values) / len(values), 2)


async def median_days_to_close(session: AsyncSession, actor: Actor) -> dict[str, float | None]:
    """Median days from found to closed, per level: ORDER BY … OFFSET to the middle (the mean
    of the two middle values when even); on PostgreSQL an index walk, see `_median_pg`."""
    if session.get_bind().dialect.name == "postgresql":
        return {level: await _median_pg(session, actor, level) for level in ("general", "major")}
    out: dict[str, float | None] = {}
    for level in ("general", "major"):
        where = (
            Hazard.enterprise_id.in_(scoped_enterprises(actor)),
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


async def _enterprises(session: AsyncSession, actor: Actor) -> list[Any]:
    """(grid_id, grid_name, sector, enterprises) over the scope, sectors in SQL order."""
    stmt = (
        select(Grid.id, Grid.name, Enterprise.sector, func.count())
        .select_from(Enterprise)
        .join(Grid, Grid.id == Enterprise.grid_id)
        .where(stats_enterprise_scope(actor))
        .group_by(Grid.id, Grid.name, Enterprise.sector)
        .order_by(Enterprise.sector, Grid.id)
    )
    return list(await session.execute(stmt))


def _derive(
    ent_rows: list[Any], cube: list[Any], overdue: list[Any], closed_year: int
) -> dict[str, Any]:
    total = _Tally()
    by_grid: dict[Any, _Tally] = {}
    by_sector: dict[str, _Tally] = {}
    dims: dict[str, Counter[str]] = {
        k: Counter() for k in ("status", "level", "source", "category")
    }
    for grid_id, sector, status, level, source, category, n in cube:
        if status is None:
            dims["source" if source is not None else "category"][source or category] += int(n)
            continue
        facts = (status, level, int(n))
        total.add(*facts)
        by_grid.setdefault(grid_id, _Tally()).add(*facts)
        by_sector.setdefault(sector, _Tally()).add(*facts)
        dims["status"][status] += int(n)
        dims["level"][level] += int(n)
    for grid_id, sector, n in overdue:
        for tally in (
            total,
            by_grid.setdefault(grid_id, _Tally()),
            by_sector.setdefault(sector, _Tally()),
        ):
            tally.n["overdue"] += int(n)
    grids: dict[Any, tuple[str, int]] = {}
    sectors: dict[str, int] = {}
    for grid_id, name, sector, n in ent_rows:
        grids[grid_id] = (name, grids.get(grid_id, ("", 0))[1] + int(n))
        sectors[sector] = sectors.get(sector, 0) + int(n)
    return {
        "enterprises": sum(sectors.values()),
        **{k: total.n[k] for k in ("hazards_open", "major_open", "overdue", "closed")},
        "closed_this_year": closed_year,
        **{f"by_{k}": dict(sorted(v.items())) for k, v in dims.items()},
        "by_grid": [
            {"grid_id": gid, "grid_name": name, **by_grid.get(gid, _Tally()).row(n)}
            for gid, (name, n) in sorted(grids.items())
        ],
        "by_sector": [
            {"sector": s, **by_sector.get(s, _Tally()).row(n)} for s, n in sectors.items()
        ],
    }


async def overview(session: AsyncSession, *, actor: Actor) -> dict[str, Any]:
    authorize(actor)
    today = today_in_shanghai()
    ent_rows = await _enterprises(session, actor)
    cube = await _cube(session, actor)
    overdue = await _overdue(session, actor, today)
    closed_year = await _closed_this_year(session, actor, today)
    return {
        "as_of": today,
        **_derive(ent_rows, cube, overdue, closed_year),
        "median_days_to_close": await median_days_to_close(session, actor),
    }
