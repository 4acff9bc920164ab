"""Keeps the hazard rollups exact (issues 6 and 11; tables in app/models/hazard_counts.py):
every flush that inserts, changes or deletes a hazard, or moves an enterprise to another grid
or sector, moves the counts between cells on the same connection, so the rollups commit or
roll back with the write (savepoints included).

Session events, registered by `install(target)` where the sessionmaker is built, so no write
path (hazard create, transitions, inspections, public reports, enterprise edits) can forget
them. Bulk SQL that bypasses the ORM (bench/generate.py's COPY) must rebuild the rollups with
`backfill_sql`.

How: before the flush, the rows that are about to change are read back with their
enterprise's grid and sector (the database still holds the old state). After it, a changed
hazard's new cells are that row with the flushed values over it (issue 11: the second read
cost the plan transition a statement); new hazards, hazards moved to another enterprise and
values assigned as SQL are read back, as are the unchanged hazards of a moved enterprise.
Each row contributes to a fixed set of cells (`cells`); the net difference is written by one
UPSERT per table, its rows in sorted order (one lock order for every transaction, so two
writers never deadlock on cells), and concurrent writers serialise on a cell row without
losing an increment.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import ClauseElement, Table, select, text
from sqlalchemy.dialects import postgresql
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
from app.services.rollup_writes import cell_upsert, changed, install_flush_hooks

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
# A hazard's cell-deciding values, in the order `cells` takes them.
_VALUES = ("status", "level", "source", "category", "deadline", "found_at", "closed_at")
Place = tuple[uuid.UUID, str]  # an enterprise's (grid, sector)


def cells(row: Any) -> Iterator[Cell]:
    """The cells one hazard counts in; `row` = the first nine columns of `_rows`."""
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
        Enterprise.grid_id, Enterprise.sector, h.id, h.enterprise_id,
    ).join(Enterprise, Enterprise.id == h.enterprise_id)  # fmt: skip


def _touches_cells(obj: Hazard) -> bool:
    return any(changed(obj, name) for name in (*FIELDS, *FIELDS_CLOSED))


def _moves(obj: Enterprise) -> bool:
    return any(changed(obj, n) for n in ("grid_id", "sector"))


@dataclass
class _Pending:
    """What the before-flush read learnt, for the after-flush to finish without reading the
    changed hazards again."""

    delta: Counter[Cell]
    dirty: list[Hazard]  # changed hazards, not deleted
    old: dict[uuid.UUID, Any]  # their rows as read before the flush
    touched: set[uuid.UUID]  # changed and deleted hazards
    old_places: dict[uuid.UUID, Place] = field(default_factory=dict)  # moved enterprises
    new_places: dict[uuid.UUID, Place | None] = field(default_factory=dict)  # None: unknown


def _before_flush(session: Session, _ctx: UOWTransaction, _instances: Any) -> None:
    """Counts out of the cells the changed hazards leave, and the moved enterprises' old grid
    and sector, read while the database still holds them."""
    dirty = [o for o in session.dirty if isinstance(o, Hazard) and _touches_cells(o)]
    gone = [o.id for o in session.deleted if isinstance(o, Hazard)]
    movers = [o for o in session.dirty if isinstance(o, Enterprise) and _moves(o)]
    p = _Pending(Counter(), dirty, {}, {o.id for o in dirty} | set(gone))
    conn = session.connection()
    if p.touched:
        for row in conn.execute(_rows().where(Hazard.id.in_(p.touched))):
            p.delta.subtract(cells(row[:9]))
            p.old[row.id] = row
    if movers:
        stmt = select(Enterprise.id, Enterprise.grid_id, Enterprise.sector)
        stmt = stmt.where(Enterprise.id.in_([o.id for o in movers]))
        for eid, grid, sector in conn.execute(stmt):
            p.old_places[eid] = (grid, sector)
        p.new_places = {o.id: _new_place(o, p.old_places.get(o.id)) for o in movers}
    session.info[_STATE] = p


def _known(now: dict[str, Any], name: str) -> bool:
    """The flushed value is a plain one: not expired, and not a SQL expression (which the
    state still holds during after_flush; its value is only in the database)."""
    return name in now and not isinstance(now[name], ClauseElement)


def _new_place(obj: Enterprise, old: Place | None) -> Place | None:
    """A moved enterprise's grid and sector after the flush, from the object; None when an
    assigned value is not a plain one (a SQL expression: read back after the flush)."""
    if old is None:
        return None
    now = attributes.instance_state(obj).dict
    place: list[Any] = []
    for name, was in zip(("grid_id", "sector"), old, strict=True):
        if not changed(obj, name):
            place.append(was)
        elif _known(now, name):
            place.append(now[name])
        else:
            return None
    return place[0], place[1]


def _new_row(obj: Hazard, old: Any, new_places: dict[uuid.UUID, Place | None]) -> Any:
    """The changed hazard's cell values after the flush, without a read: its row from before
    the flush with the assigned values over it, at its enterprise's new place if the
    enterprise moved in the same flush. None when that is not known (another enterprise, a
    SQL expression assigned): the caller reads the row back."""
    if old is None or changed(obj, "enterprise_id"):
        return None
    now = attributes.instance_state(obj).dict
    values = list(old[:7])
    for i, name in enumerate(_VALUES):
        if changed(obj, name):
            if not _known(now, name):
                return None
            values[i] = now[name]
    place = new_places.get(old.enterprise_id, (old.grid_id, old.sector))
    return None if place is None else (*values, *place)


def _after_flush(session: Session, _ctx: UOWTransaction) -> None:
    p: _Pending | None = session.info.pop(_STATE, None)
    if p is None:
        return
    delta = p.delta
    deleted = {o.id for o in session.deleted if isinstance(o, Hazard)}
    reread = {o.id for o in session.new if isinstance(o, Hazard)}
    for obj in p.dirty:
        if obj.id in deleted:
            continue
        row = _new_row(obj, p.old.get(obj.id), p.new_places)
        if row is None:
            reread.add(obj.id)
        else:
            delta.update(cells(row))
    conn = session.connection()
    if reread:
        for row in conn.execute(_rows().where(Hazard.id.in_(reread))):
            delta.update(cells(row[:9]))
    if p.old_places:
        # Hazards that did not change themselves follow their enterprise to its new cells.
        stmt = _rows().where(
            Hazard.enterprise_id.in_(list(p.old_places)), Hazard.id.not_in(reread | p.touched)
        )
        for row in conn.execute(stmt):
            delta.update(cells(row[:9]))
            delta.subtract(cells((*row[:7], *p.old_places[row.enterprise_id])))
    _apply(session, delta)


_PG_DIALECT = postgresql.dialect()  # type: ignore[no-untyped-call]
_PG_ARRAY = {"UUID": "uuid[]", "DATE": "date[]", "INTEGER": "int[]", "BIGINT": "bigint[]"}


def _pg_columns(table: Table) -> list[tuple[str, str]]:
    return [
        (c.name, _PG_ARRAY.get(str(c.type.compile(_PG_DIALECT)), "text[]")) for c in table.columns
    ]


def _pg_statement() -> Any:
    """PostgreSQL: every table's UPSERT in ONE statement of fixed text (issue 11: one round
    trip instead of one per table), each table's rows as arrays unnested in order (an empty
    array inserts nothing). Data-modifying CTEs all run to completion, in one order for every
    transaction, and each takes its cells in sorted order: writers never deadlock."""
    parts = []
    for i, (name, table) in enumerate(TABLES.items()):
        cols = _pg_columns(table)
        keys = ", ".join(c.name for c in table.primary_key.columns)
        arrays = ", ".join(f"CAST(:{name}__{col} AS {kind})" for col, kind in cols)
        parts.append(
            f"u{i} AS (INSERT INTO {name} AS t ({', '.join(c for c, _ in cols)}) "
            f"SELECT * FROM unnest({arrays}) "
            f"ON CONFLICT ({keys}) DO UPDATE SET n = t.n + excluded.n)"
        )
    return text(f"WITH {', '.join(parts)} SELECT 1")


_PG = _pg_statement()


def _apply(session: Session, delta: Counter[Cell]) -> None:
    """The netted cells (PostgreSQL refuses to update one row twice in a statement), sorted:
    every transaction takes the cell locks in one order."""
    rows = {
        name: sorted((key, n) for (t, key), n in delta.items() if t == name and n != 0)
        for name in TABLES
    }
    if not any(rows.values()):
        return
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        params: dict[str, list[Any]] = {}
        for name, table in TABLES.items():
            for i, col in enumerate(c.name for c in table.columns):
                params[f"{name}__{col}"] = [n if col == "n" else k[i] for k, n in rows[name]]
        conn.execute(_PG, params)
        return
    for name, table in TABLES.items():
        if rows[name]:
            keys = [c.name for c in table.primary_key.columns]
            values = [dict(zip(keys, k, strict=True), n=n) for k, n in rows[name]]
            conn.execute(cell_upsert(table, "sqlite"), values)


def install(target: Any) -> None:
    """Register the hooks on `target` (a Session class or sessionmaker); idempotent."""
    install_flush_hooks(target, _before_flush, _after_flush)


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
