"""Keeps the `hazard_counts` rollup exact (issue 6): every flush that inserts, re-classifies
or deletes a hazard moves its count between cells on the same connection, so the rollup
commits or rolls back with the hazard (savepoints included).

A session event, like the change capture in app/services/sync/tracking.py, so no write path
(hazard create, transitions, inspections, public reports) can forget it. Bulk SQL that
bypasses the ORM (bench/generate.py's COPY) must rebuild the rollup with `BACKFILL_SQL`.

Concurrency: a cell is one row updated by UPSERT, so concurrent writers serialise on it and
never lose an increment; within a flush the cells are written in sorted key order, so two
transactions never take cell locks in opposite orders (no deadlock between them).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, UOWTransaction, attributes

from app.models.hazard import Hazard
from app.models.hazard_counts import HazardCount

DIMENSIONS = ("enterprise_id", "status", "level", "source", "category")

# Rebuild from the ledger (migration 0009's backfill; bench/generate.py after COPY).
BACKFILL_SQL = (
    "INSERT INTO hazard_counts (enterprise_id, status, level, source, category, n) "
    "SELECT enterprise_id, status, level, source, category, count(*) FROM hazards "
    "GROUP BY enterprise_id, status, level, source, category"
)

Cell = tuple[Any, ...]


_OLD = "hazard_counts.old_cells"


def _old_cells(session: Session) -> dict[int, Cell]:
    cells: dict[int, Cell] = session.info.setdefault(_OLD, {})
    return cells


def _remember_old_cells(session: Session, _ctx: UOWTransaction, _instances: Any) -> None:
    """The cell each changed or deleted hazard leaves, read before the row is written: a
    dimension set on an expired object has no old value in its history, so it is read from
    the row (flushes run where IO is allowed; attribute setters do not)."""
    cells = _old_cells(session)
    cells.clear()  # keyed by id(): nothing may survive a flush that failed
    for obj in [*session.dirty, *session.deleted]:
        if not isinstance(obj, Hazard):
            continue
        out: list[Any] = []
        for name in DIMENSIONS:
            hist = attributes.get_history(obj, name)
            if hist.deleted:
                out.append(hist.deleted[0])
            elif hist.added:  # old value never loaded
                column = getattr(Hazard, name)
                stmt = select(column).where(Hazard.id == obj.id)
                out.append(session.connection().execute(stmt).scalar_one())
            else:
                out.append(getattr(obj, name))
        cells[id(obj)] = tuple(out)


def _old_cell(session: Session, obj: Hazard) -> Cell:
    cell = _old_cells(session).pop(id(obj), None)
    if cell is not None:
        return cell
    out = []
    for name in DIMENSIONS:
        hist = attributes.get_history(obj, name)
        out.append(hist.deleted[0] if hist.deleted else getattr(obj, name))
    return tuple(out)


def _new_cell(obj: Hazard) -> Cell:
    return tuple(getattr(obj, name) for name in DIMENSIONS)


def deltas(session: Session) -> Counter[Cell]:
    """Net count change per cell of this flush (cells netting to 0 left out)."""
    delta: Counter[Cell] = Counter()
    for obj in session.new:
        if isinstance(obj, Hazard):
            delta[_new_cell(obj)] += 1
    for obj in session.dirty:
        if isinstance(obj, Hazard) and session.is_modified(obj, include_collections=False):
            old, new = _old_cell(session, obj), _new_cell(obj)
            if old != new:
                delta[old] -= 1
                delta[new] += 1
    for obj in session.deleted:
        if isinstance(obj, Hazard):
            delta[_old_cell(session, obj)] -= 1
    _old_cells(session).clear()
    return Counter({cell: n for cell, n in delta.items() if n != 0})


def _apply(session: Session, _ctx: UOWTransaction) -> None:
    delta = deltas(session)
    if not delta:
        return
    conn = session.connection()
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    table = HazardCount.__table__
    for cell in sorted(delta):  # one lock order for every transaction
        stmt = dialect.insert(table).values(dict(zip(DIMENSIONS, cell, strict=True), n=delta[cell]))
        stmt = stmt.on_conflict_do_update(
            index_elements=list(DIMENSIONS), set_={"n": table.c.n + stmt.excluded.n}
        )
        conn.execute(stmt)


def install(target: type[Session]) -> None:
    """Attach the rollup to the session class a sessionmaker builds (app/core/db.py)."""
    event.listen(target, "before_flush", _remember_old_cells)
    event.listen(target, "after_flush", _apply)
