"""Shared pieces of the statistics: scope, hazard state clauses, dialect-specific SQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    Select,
    String,
    Uuid,
    and_,
    case,
    cast,
    func,
    literal,
    literal_column,
    null,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.enterprise import Enterprise
from app.models.hazard import Hazard, HazardStatus
from app.services.compliance.facts import OPEN_STATES
from app.services.hazards.overdue import overdue_clause
from app.services.policy import Actor, Permission, require_permission, stats_enterprise_scope


def authorize(actor: Actor) -> None:
    require_permission(actor, Permission.STATS_READ)


def scoped_enterprises(actor: Actor) -> Select[Any]:
    """Ids of the enterprises the caller's statistics cover (a subquery, never loaded)."""
    return select(Enterprise.id).where(stats_enterprise_scope(actor))


def is_open() -> ColumnElement[bool]:
    # Brief §7: hazards_open = not closed and not voided.
    return Hazard.status.in_(OPEN_STATES)


# The overdue rule's SQL form, defined once (app/rules/overdue.py, services/hazards/overdue.py).
is_overdue = overdue_clause


def is_closed() -> ColumnElement[bool]:
    return Hazard.status == HazardStatus.closed.value


# The overview's tally rows (stats/rollup.py and stats/ledger.py build them, overview.py reads
# them): (kind, grid_id, sector, value, hazards, hazards_open, major_open, closed). A "cell"
# row is one (grid, sector) with its four counts; a "status", "level", "source" or "category"
# row is one value of that dimension with its hazards. Summed in SQL: at 1,000,000 hazards
# the rollup's 1,600 (grid, sector, status, level) cells become ~170 rows, and reading and
# tallying the cells in Python was 20 ms of the overview's 37 ms of CPU (issue 11).
TALLY_KINDS = ("cell", "status", "level", "source", "category")


def tally_sums(status: Any, level: Any, n: Any) -> list[Any]:
    """(hazards, hazards_open, major_open, closed) of a group whose rows count `n` each:
    the open rule is `is_open`'s (brief §7), major is `level = 'major'`."""
    open_ = status.in_(OPEN_STATES)

    def total(cond: Any = None) -> Any:
        return cast(func.sum(n if cond is None else case((cond, n), else_=0)), BigInteger)

    return [
        total(),
        total(open_),
        total(and_(open_, level == "major")),
        total(status == HazardStatus.closed.value),
    ]


def tally_keys(kind: str, grid_id: Any = None, sector: Any = None, value: Any = None) -> list[Any]:
    """The first four columns of a tally row; absent ones typed NULLs (a UNION's columns)."""
    return [
        literal(kind, String),
        cast(null(), Uuid) if grid_id is None else grid_id,
        cast(null(), String) if sector is None else sector,
        cast(null(), String) if value is None else value,
    ]


def dimension_sums(n: Any) -> list[Any]:
    """The four counts of a dimension row: its hazards, the three others zero."""
    zero = cast(literal(0), BigInteger)
    return [cast(func.sum(n), BigInteger), zero, zero, zero]


def shanghai_month(session: AsyncSession, col: Any) -> Any:
    """'YYYY-MM' of a UTC instant on the Shanghai calendar (UTC+8, no DST since 1991)."""
    # Constants inlined (not bound) so the same expression can appear in SELECT and GROUP BY.
    if session.get_bind().dialect.name == "postgresql":
        zone = func.timezone(literal_column("'Asia/Shanghai'"), col)
        return func.to_char(zone, literal_column("'YYYY-MM'"))
    return func.strftime(literal_column("'%Y-%m'"), col, literal_column("'+8 hours'"))


def shanghai_month_number(session: AsyncSession, col: Any) -> Any:
    """Month (1–12) of a UTC instant on the Shanghai calendar: one expression per row where
    compliance.facts.month_case compares the instant with twelve ranges."""
    if session.get_bind().dialect.name == "postgresql":
        zone = func.timezone(literal_column("'Asia/Shanghai'"), col)
        return func.extract("month", zone)
    return cast(func.strftime(literal_column("'%m'"), col, literal_column("'+8 hours'")), Integer)


def days_between(session: AsyncSession, start: Any, end: Any) -> Any:
    """Days (fractional) from `start` to `end`, both UTC instants."""
    if session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", end - start) / 86400.0
    return func.julianday(end) - func.julianday(start)


def counts(rows: Any) -> dict[str, int]:
    return {str(k): int(n) for k, n in rows if k is not None}
