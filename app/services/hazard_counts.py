"""Keeps the hazard rollups exact (issues 6 and 11; tables in app/models/hazard_counts.py):
every flush that inserts, changes or deletes a hazard, or moves an enterprise to another grid
or sector, moves the counts between cells on the same connection, so the rollups commit or
roll back with the write (savepoints included).

Session events, registered by `install(target)` where the sessionmaker is built, so no write
path (hazard create, transitions, inspections, public reports, enterprise edits) can forget
them. Bulk SQL that bypasses the ORM (bench/generate.py's COPY) must rebuild the rollups with
`backfill_sql`.

How: before the flush, the rows that are about to change are read back with their
enterprise's grid and sector (the database still holds the old state); after it, the same and
the new rows are read again. Each row contributes to a fixed set of cells (`cells`); the net
difference is written by UPSERT, in sorted order (one lock order for every transaction, so
two writers never deadlock on cells), and concurrent writers serialise on a cell row without
losing an increment.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from sqlalchemy import Table, event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, UOWTransaction, attributes

from app.models.enterprise import Enterprise
from app.models.hazard import Hazard, HazardStatus
from app.models.hazard_counts import (
    HazardCloseSpan,
    HazardClosing,
    HazardDeadline,
    HazardDeadlineMonth,
    HazardFacet,
    HazardTally,
)
from app.rules.calendar import shanghai_date
from app.rules.overdue import OVERDUE_STATES

# Hazard columns a cell depends on (a change to any other column moves nothing).
FIELDS = ("enterprise_id", "status", "level", "source", "category", "deadline", "found_at")
FIELDS_CLOSED = ("closed_at",)
TABLES: dict[str, Table] = {
    m.__tablename__: m.__table__  # type: ignore[misc]
    for m in (
        HazardTally,
        HazardFacet,
        HazardDeadline,
        HazardDeadlineMonth,
        HazardClosing,
        HazardCloseSpan,
    )
}
_DAY = timedelta(days=1)
_CLOSED = HazardStatus.closed.value
_STATE = "hazard_counts.pending"

Cell = tuple[str, tuple[Any, ...]]


def cells(row: Any) -> Iterator[Cell]:
    """The cells one hazard counts in; `row` as selected by `_rows`."""
    status, level, source, category, deadline, found_at, closed_at, grid, sector = row
    yield "hazard_tallies", (grid, sector, status, level)
    yield "hazard_facets", (grid, "source", source)
    yield "hazard_facets", (grid, "category", category)
    if status in OVERDUE_STATES and deadline is not None:
        yield "hazard_deadlines", (grid, sector, status, level, deadline)
        yield "hazard_deadline_months", (grid, sector, status, level, deadline.replace(day=1))
    if status == _CLOSED and closed_at is not None:
        yield "hazard_closings", (grid, shanghai_date(closed_at))
        # Whole days, floored exactly as the backfill's floor(epoch / 86400).
        yield "hazard_close_spans", (grid, level, (closed_at - found_at) // _DAY)


def _rows() -> Any:
    h = Hazard
    return select(
        h.status, h.level, h.source, h.category, h.deadline, h.found_at, h.closed_at,
        Enterprise.grid_id, Enterprise.sector,
    ).join(Enterprise, Enterprise.id == h.enterprise_id)  # fmt: skip


def _touches_cells(obj: Hazard) -> bool:
    return any(
        attributes.get_history(obj, name).has_changes() for name in (*FIELDS, *FIELDS_CLOSED)
    )


def _moves(obj: Enterprise) -> bool:
    return any(attributes.get_history(obj, n).has_changes() for n in ("grid_id", "sector"))


def _before_flush(session: Session, _ctx: UOWTransaction, _instances: Any) -> None:
    """Counts out of the cells the changed hazards leave, and the moved enterprises' old grid
    and sector, read while the database still holds them."""
    changed = [o.id for o in session.dirty if isinstance(o, Hazard) and _touches_cells(o)]
    changed += [o.id for o in session.deleted if isinstance(o, Hazard)]
    moved = [o.id for o in session.dirty if isinstance(o, Enterprise) and _moves(o)]
    delta: Counter[Cell] = Counter()
    conn = session.connection()
    if changed:
        for row in conn.execute(_rows().where(Hazard.id.in_(changed))):
            delta.subtract(cells(row))
    old_places: dict[uuid.UUID, tuple[uuid.UUID, str]] = {}
    if moved:
        stmt = select(Enterprise.id, Enterprise.grid_id, Enterprise.sector)
        for eid, grid, sector in conn.execute(stmt.where(Enterprise.id.in_(moved))):
            old_places[eid] = (grid, sector)
    session.info[_STATE] = (delta, set(changed), old_places)


def _after_flush(session: Session, _ctx: UOWTransaction) -> None:
    pending = session.info.pop(_STATE, None)
    if pending is None:
        return
    delta, changed, old_places = pending
    deleted = {o.id for o in session.deleted if isinstance(o, Hazard)}
    now = {o.id for o in session.new if isinstance(o, Hazard)} | (changed - deleted)
    conn = session.connection()
    if now:
        for row in conn.execute(_rows().where(Hazard.id.in_(now))):
            delta.update(cells(row))
    if old_places:
        # Hazards that did not change themselves follow their enterprise to its new cells.
        stmt = (
            _rows()
            .add_columns(Hazard.enterprise_id)
            .where(Hazard.enterprise_id.in_(list(old_places)), Hazard.id.not_in(now | changed))
        )
        for row in conn.execute(stmt):
            delta.update(cells(row[:-1]))
            delta.subtract(cells((*row[:-3], *old_places[row[-1]])))
    _apply(session, delta)


def _apply(session: Session, delta: Counter[Cell]) -> None:
    conn = session.connection()
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    for name, table in TABLES.items():  # tables and cells in one order for every transaction
        keys = [c.name for c in table.primary_key.columns]
        mine = sorted((key, n) for (t, key), n in delta.items() if t == name and n != 0)
        for key, n in mine:
            stmt = dialect.insert(table).values(dict(zip(keys, key, strict=True), n=n))
            stmt = stmt.on_conflict_do_update(
                index_elements=keys, set_={"n": table.c.n + stmt.excluded.n}
            )
            conn.execute(stmt)


def install(target: Any) -> None:
    """Register the hooks on `target` (a Session class or sessionmaker); idempotent."""
    for name, fn in (("before_flush", _before_flush), ("after_flush", _after_flush)):
        if not event.contains(target, name, fn):
            event.listen(target, name, fn)


def backfill_sql(dialect: str) -> list[str]:
    """Statements rebuilding every rollup from the ledger (empty tables expected)."""
    if dialect == "postgresql":
        closed_on = "(h.closed_at AT TIME ZONE 'Asia/Shanghai')::date"
        span = "floor(extract(epoch FROM h.closed_at - h.found_at) / 86400)::int"
        month = "date_trunc('month', h.deadline)::date"
    else:
        closed_on = "date(h.closed_at, '+8 hours')"
        span = "CAST(floor(julianday(h.closed_at) - julianday(h.found_at)) AS INTEGER)"
        month = "date(h.deadline, 'start of month')"
    frm = "FROM hazards h JOIN enterprises e ON e.id = h.enterprise_id"
    states = ", ".join(f"'{s}'" for s in OVERDUE_STATES)
    closed = f"WHERE h.status = '{_CLOSED}' AND h.closed_at IS NOT NULL"
    return [
        "INSERT INTO hazard_tallies (grid_id, sector, status, level, n) "
        f"SELECT e.grid_id, e.sector, h.status, h.level, count(*) {frm} GROUP BY 1, 2, 3, 4",
        "INSERT INTO hazard_facets (grid_id, facet, value, n) "
        f"SELECT e.grid_id, 'source', h.source, count(*) {frm} GROUP BY 1, 3 UNION ALL "
        f"SELECT e.grid_id, 'category', h.category, count(*) {frm} GROUP BY 1, 3",
        "INSERT INTO hazard_deadlines (grid_id, sector, status, level, deadline, n) "
        f"SELECT e.grid_id, e.sector, h.status, h.level, h.deadline, count(*) {frm} "
        f"WHERE h.status IN ({states}) AND h.deadline IS NOT NULL GROUP BY 1, 2, 3, 4, 5",
        "INSERT INTO hazard_deadline_months (grid_id, sector, status, level, deadline, n) "
        f"SELECT e.grid_id, e.sector, h.status, h.level, {month}, count(*) {frm} "
        f"WHERE h.status IN ({states}) AND h.deadline IS NOT NULL GROUP BY 1, 2, 3, 4, 5",
        "INSERT INTO hazard_closings (grid_id, closed_on, n) "
        f"SELECT e.grid_id, {closed_on}, count(*) {frm} {closed} GROUP BY 1, 2",
        "INSERT INTO hazard_close_spans (grid_id, level, span_days, n) "
        f"SELECT e.grid_id, h.level, {span}, count(*) {frm} {closed} GROUP BY 1, 2, 3",
    ]
