"""The overview's figures read from the grid-grain rollups (issue 11; tables in
app/models/hazard_counts.py, kept exact by app/services/hazard_counts.py).

Serves the whole jurisdiction (street office, dashboard) and grid staff, whose scope is whole
grids (policy.enterprise_scope: `Enterprise.grid_id IN grid_ids`). Every reader returns rows
shaped like its ledger twin in app/services/stats/ledger.py, which serves the other scopes.

Measured at 1,000,000 hazards (bench/README.md "Issue 11"): the cells read are 1,600
tallies, 320 facets, ~6,000 deadline months and the current month's deadline days, the
year's closing days and 40 span days, instead of ~830,000 enterprise cells and index walks
over the closed ledger.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    func,
    literal,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import True_
from sqlalchemy.sql.visitors import replacement_traverse

from app.models.enterprise import Enterprise
from app.models.hazard import Hazard
from app.models.hazard_counts import (
    HazardCloseSpan,
    HazardClosing,
    HazardDeadline,
    HazardDeadlineMonth,
    HazardFacet,
    HazardTally,
)
from app.models.user import Role
from app.services.policy import Actor, stats_enterprise_scope
from app.services.stats.common import (
    dimension_sums,
    is_closed,
    is_overdue,
    tally_keys,
    tally_sums,
)


@dataclass(frozen=True)
class GridScope:
    """Whole grids: None for the jurisdiction, else the grid ids."""

    grids: frozenset[uuid.UUID] | None


def grid_scope(actor: Actor) -> GridScope | None:
    """The caller's scope as whole grids, or None when it is not (an enterprise head)."""
    if isinstance(stats_enterprise_scope(actor), True_):
        return GridScope(None)
    if actor.role == Role.grid_staff and actor.grid_ids:
        return GridScope(frozenset(actor.grid_ids))
    return None


def _in(scope: GridScope, table: Any) -> list[ColumnElement[bool]]:
    return [] if scope.grids is None else [table.c.grid_id.in_(scope.grids)]


def on_rollup(clause: ColumnElement[bool], table: Any) -> ColumnElement[bool]:
    """A clause on hazard columns re-pointed at the rollup columns of the same name: the
    overdue rule stays the one of stats.common.is_overdue, whatever its definition."""

    def swap(el: Any) -> Any:
        if isinstance(el, Column) and el.table is Hazard.__table__:
            return table.c[el.name]
        return None

    out: ColumnElement[bool] = replacement_traverse(clause, {}, swap)  # type: ignore[call-overload]
    return out


async def cube(session: AsyncSession, scope: GridScope) -> list[Any]:
    """Tally rows (stats/common.py TALLY_KINDS), as ledger.cube's, from the tallies and
    facets; groups whose hazards sum to 0 are left out, as the ledger never has them."""
    t, f = HazardTally.__table__, HazardFacet.__table__
    where = _in(scope, t)
    cells = (
        select(
            *tally_keys("cell", t.c.grid_id, t.c.sector), *tally_sums(t.c.status, t.c.level, t.c.n)
        )
        .where(*where)
        .group_by(t.c.grid_id, t.c.sector)
        .having(func.sum(t.c.n) > 0)
    )
    dims = [
        select(*tally_keys(name, value=col), *dimension_sums(t.c.n))
        .where(*where)
        .group_by(col)
        .having(func.sum(t.c.n) > 0)
        for name, col in (("status", t.c.status), ("level", t.c.level))
    ]
    facets = [
        select(*tally_keys(name, value=f.c.value), *dimension_sums(f.c.n))
        .where(f.c.facet == name, *_in(scope, f))
        .group_by(f.c.value)
        .having(func.sum(f.c.n) > 0)
        for name in ("source", "category")
    ]
    stmt: Any = union_all(cells, *dims, *facets)
    return list(await session.execute(stmt))


async def overdue(session: AsyncSession, scope: GridScope, today: date) -> list[Any]:
    """(grid_id, sector, overdue hazards): the deadline months before the current one whole
    (~6,000 cells), the current month by day (a range on ix_hazard_deadlines_deadline).

    Relies on the overdue rule being "deadline before a day" (brief §3): everything due in a
    month before the current one is then overdue today, which is exactly is_overdue(first
    of this month) on the month cells."""
    days, months = HazardDeadline.__table__, HazardDeadlineMonth.__table__
    month_start = today.replace(day=1)
    parts = union_all(
        select(months.c.grid_id, months.c.sector, months.c.n).where(
            on_rollup(is_overdue(month_start), months), *_in(scope, months)
        ),
        select(days.c.grid_id, days.c.sector, days.c.n).where(
            on_rollup(is_overdue(today), days), days.c.deadline >= month_start, *_in(scope, days)
        ),
    ).subquery()
    total = func.sum(parts.c.n)
    stmt = (
        select(parts.c.grid_id, parts.c.sector, total)
        .group_by(parts.c.grid_id, parts.c.sector)
        .having(total > 0)
    )
    return list(await session.execute(stmt))


async def closed_since(session: AsyncSession, scope: GridScope, start: date, end: date) -> int:
    """Hazards closed on Shanghai days start..end (inclusive)."""
    c = HazardClosing.__table__
    stmt = select(func.sum(c.c.n)).where(c.c.closed_on.between(start, end), *_in(scope, c))
    return int(await session.scalar(stmt) or 0)


@dataclass(frozen=True)
class _Middle:
    count: int  # closed hazards of the level in scope
    bucket: int  # whole days of the bucket holding the lower middle value
    offset: int  # its position inside the bucket
    size: int  # hazards in the bucket


def _locate(buckets: list[tuple[int, int]]) -> _Middle:
    """The bucket holding the lower middle value of a level's (span_days, n) histogram."""
    count = sum(n for _, n in buckets)
    k = (count - 1) // 2
    for bucket, n in buckets:
        if k < n:
            return _Middle(count, bucket, k, n)
        k -= n
    return _Middle(count, 0, 0, 0)


async def _middles(session: AsyncSession, scope: GridScope) -> dict[str, _Middle]:
    """Every level's middle, from ONE read of the close-span histogram (issue 11)."""
    s = HazardCloseSpan.__table__
    total = func.sum(s.c.n)
    stmt = (
        select(s.c.level, s.c.span_days, total)
        .where(*_in(scope, s))
        .group_by(s.c.level, s.c.span_days)
        .having(total > 0)
        .order_by(s.c.level, s.c.span_days)
    )
    buckets: dict[str, list[tuple[int, int]]] = {}
    for level, bucket, n in await session.execute(stmt):
        buckets.setdefault(level, []).append((int(bucket), int(n)))
    return {level: _locate(b) for level, b in buckets.items()}


def _closed_spans(scope: GridScope, level: str) -> tuple[Any, list[Any]]:
    span = Hazard.closed_at - Hazard.found_at
    where = [is_closed(), Hazard.closed_at.is_not(None), Hazard.level == level]
    if scope.grids is not None:
        ents = select(Enterprise.id).where(Enterprise.grid_id.in_(scope.grids))
        where.append(Hazard.enterprise_id.in_(ents))
    return span, where


def _bucket_ends(scope: GridScope, level: str, mid: _Middle) -> Any:
    span, where = _closed_spans(scope, level)
    lo, hi = timedelta(days=mid.bucket), timedelta(days=mid.bucket + 1)
    return select(literal(level).label("level"), func.min(span), func.max(span)).where(
        *where, span >= lo, span < hi
    )


async def _middle_values(
    session: AsyncSession, scope: GridScope, level: str, mid: _Middle, first: Any, last: Any
) -> list[Any]:
    """The middle span (two when the count is even). A bucket whose first and last spans
    are equal (every hazard closed after the same time, as in bench/generate.py) needs no
    walk: the two index probes already answered. Otherwise ix_hazards_close_span is read
    from the middle's bucket only."""
    take = 2 - mid.count % 2
    span, where = _closed_spans(scope, level)
    if first is None or first != last:
        lo = timedelta(days=mid.bucket)
        stmt: Any = select(span).where(*where, span >= lo).order_by(span)
        return list((await session.scalars(stmt.offset(mid.offset).limit(take))).all())
    inside = min(take, mid.size - mid.offset)
    values: list[Any] = [first] * inside
    if inside < take:  # the upper middle value is the next bucket's first
        after = select(func.min(span)).where(*where, span >= timedelta(days=mid.bucket + 1))
        values.append(await session.scalar(after))
    return values


async def medians_pg(
    session: AsyncSession, scope: GridScope, levels: tuple[str, ...]
) -> dict[str, float | None]:
    """Median days found→closed per level: the close-span histogram locates each middle's
    whole-day bucket (one statement for all levels), then ix_hazards_close_span (migration
    0008) is probed inside those buckets (one statement for all levels)."""
    mids = {lv: m for lv, m in (await _middles(session, scope)).items() if lv in levels}
    ends: dict[str, tuple[Any, Any]] = {}
    if mids:
        probes = union_all(*(_bucket_ends(scope, lv, m) for lv, m in mids.items()))
        ends = {lv: (lo, hi) for lv, lo, hi in await session.execute(probes)}
    out: dict[str, float | None] = {}
    for level in levels:
        mid = mids.get(level)
        if mid is None or mid.count == 0:
            out[level] = None
            continue
        spans = await _middle_values(session, scope, level, mid, *ends.get(level, (None, None)))
        # Same arithmetic as before: days as a float, mean of the middle pair if even.
        values = [v.total_seconds() / 86400 for v in spans if v is not None]
        out[level] = round(sum(values) / len(values), 2) if values else None
    return out
