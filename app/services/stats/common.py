"""Shared pieces of the statistics: scope, hazard state clauses, dialect-specific SQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    cast,
    func,
    literal_column,
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
