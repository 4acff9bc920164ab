"""GET /stats/overview: the ledger in numbers over the caller's scope (SQL aggregates only).

Cost (bench/README.md "Issue 11 — statistics"): every figure is derived in Python from small
aggregates — the enterprises per (grid, sector), and for the jurisdiction or whole grids the
grid-grain rollups (stats/rollup.py: tallies, facets, day-grained deadline and closing
counts, a close-span histogram that locates the medians), kept exact in each write's
transaction by app/services/hazard_counts.py. An enterprise head's overview is counted on
its own ledger (stats/ledger.py). Nothing is cached: each figure is read from committed data.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.enterprise import Enterprise
from app.models.grid import Grid
from app.rules.calendar import today_in_shanghai
from app.services.policy import Actor, stats_enterprise_scope
from app.services.stats import ledger, rollup
from app.services.stats.common import TALLY_KINDS, authorize

_FIELDS = ("hazards", "hazards_open", "major_open", "overdue", "closed")
# The four counts of a tally row (stats/common.py tally_sums), in its column order.
_COUNTED = ("hazards", "hazards_open", "major_open", "closed")


@dataclass
class _Tally:
    """Hazard counts of one group (the whole scope, a grid, a sector)."""

    n: Counter[str] = field(default_factory=Counter)

    def add(self, counts: tuple[int, int, int, int]) -> None:
        for key, count in zip(_COUNTED, counts, strict=True):
            self.n[key] += count

    def row(self, enterprises: int) -> dict[str, int]:
        return {"enterprises": enterprises, **{k: self.n[k] for k in _FIELDS}}


async def _enterprises(session: AsyncSession, actor: Actor) -> list[Any]:
    """(grid_id, grid_name, sector, enterprises) over the scope, sectors in SQL order."""
    # Grouped before the join (an index-only pass over ix_enterprises_grid_sector), then
    # named from the handful of grids.
    per = (
        select(Enterprise.grid_id, Enterprise.sector, func.count().label("n"))
        .where(stats_enterprise_scope(actor))
        .group_by(Enterprise.grid_id, Enterprise.sector)
        .subquery()
    )
    stmt = (
        select(Grid.id, Grid.name, per.c.sector, per.c.n)
        .join(per, per.c.grid_id == Grid.id)
        .order_by(per.c.sector, Grid.id)
    )
    return list(await session.execute(stmt))


def _tallies(
    cube: list[Any], overdue: list[Any]
) -> tuple[_Tally, defaultdict[Any, _Tally], defaultdict[str, _Tally], dict[str, Counter[str]]]:
    """(whole scope, per grid, per sector, per dimension) from the cube and overdue rows."""
    total = _Tally()
    by_grid: defaultdict[Any, _Tally] = defaultdict(_Tally)
    by_sector: defaultdict[str, _Tally] = defaultdict(_Tally)
    dims: dict[str, Counter[str]] = {k: Counter() for k in TALLY_KINDS if k != "cell"}
    for kind, grid_id, sector, value, hazards, open_, major, closed in cube:
        if kind != "cell":
            dims[kind][value] += int(hazards)
            continue
        counts = (int(hazards), int(open_), int(major), int(closed))
        for tally in (total, by_grid[grid_id], by_sector[sector]):
            tally.add(counts)
    for grid_id, sector, n in overdue:
        for tally in (total, by_grid[grid_id], by_sector[sector]):
            tally.n["overdue"] += int(n)
    return total, by_grid, by_sector, dims


def _derive(
    ent_rows: list[Any], cube: list[Any], overdue: list[Any], closed_year: int
) -> dict[str, Any]:
    total, by_grid, by_sector, dims = _tallies(cube, overdue)
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


async def _figures(session: AsyncSession, actor: Actor, today: date) -> dict[str, Any]:
    """The hazard figures: from the rollups for whole grids, else from the ledger."""
    year_start = date(today.year, 1, 1)
    scope = rollup.grid_scope(actor)
    if scope is None:
        cube = await ledger.cube(session, actor)
        overdue = await ledger.overdue(session, actor, today)
        closed_year = await ledger.closed_since(session, actor, year_start, today)
    else:
        cube = await rollup.cube(session, scope)
        overdue = await rollup.overdue(session, scope, today)
        closed_year = await rollup.closed_since(session, scope, year_start, today)
    ent_rows = await _enterprises(session, actor)
    return _derive(ent_rows, cube, overdue, closed_year)


async def median_days_to_close(session: AsyncSession, actor: Actor) -> dict[str, float | None]:
    """Median days from found to closed, per level (the mean of the two middle values when
    even): located by the close-span histogram on PostgreSQL for whole grids."""
    scope = rollup.grid_scope(actor)
    levels = ("general", "major")
    if scope is not None and session.get_bind().dialect.name == "postgresql":
        return await rollup.medians_pg(session, scope, levels)
    return {level: await ledger.median(session, actor, level) for level in levels}


async def overview(session: AsyncSession, *, actor: Actor) -> dict[str, Any]:
    authorize(actor)
    today = today_in_shanghai()
    return {
        "as_of": today,
        **await _figures(session, actor, today),
        "median_days_to_close": await median_days_to_close(session, actor),
    }
