"""Keeps `principal_check_months` exact (issue 11; table in app/models/inspection_counts.py):
every flush that inserts, changes or deletes an inspection moves its count between cells on
the same connection, so the rollup commits or rolls back with the write (savepoints
included). Installed on the sessionmaker by app/services/session_hooks.py with the hazard
rollups, never on import.

A principal check counts in one cell, (Shanghai year, enterprise, Shanghai month) of its
`started_at` (方案 三(三)4 periods are Shanghai calendar months and quarters); any other kind
counts nowhere. Before the flush, the changed and deleted inspections' stored rows are read
back (the database still holds the old values) and their cells counted out; after it, the
new and changed ones are counted in, from the flushed object when every deciding value is a
plain one, otherwise read back. The net per cell is written by one UPSERT (`n = n + delta`),
rows in sorted order, so concurrent writers serialise on a cell without losing an increment
and take the cell locks in one order. An inspection create flushes the inspection (this
cell) before its hazards (the hazard rollups' cells), and nothing else writes this table,
so no two writers take the two kinds of lock in opposite orders. Bulk SQL that bypasses
the ORM (bench/generate.py's COPY) must rebuild the table with `backfill_sql`.

The API only creates inspections (an idempotent replay writes nothing); the update and
delete paths are for any later write path and are tested through the ORM.
"""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, UOWTransaction, attributes

from app.models.inspection import Inspection, InspectionKind
from app.models.inspection_counts import PrincipalCheckMonth
from app.rules.calendar import shanghai_date
from app.services.rollup_writes import cell_upsert, changed, install_flush_hooks

FIELDS = ("kind", "enterprise_id", "started_at")
_PRINCIPAL = InspectionKind.principal_check.value
_STATE = "inspection_counts.pending"
Cell = tuple[int, uuid.UUID, int]  # (year, enterprise_id, month)


def cell(kind: str, enterprise_id: uuid.UUID, started_at: datetime) -> Cell | None:
    """The cell an inspection counts in: its Shanghai (year, month) if a principal check
    (`started_at` aware: UTCDateTime refuses naive values and reads back aware ones)."""
    if kind != _PRINCIPAL:
        return None
    day = shanghai_date(started_at)
    return day.year, enterprise_id, day.month


def _stored(session: Session, ids: set[uuid.UUID]) -> list[Any]:
    i = Inspection
    stmt = select(i.kind, i.enterprise_id, i.started_at).where(i.id.in_(ids))
    return list(session.connection().execute(stmt))


def _before_flush(session: Session, _ctx: UOWTransaction, _instances: Any) -> None:
    dirty = [
        o for o in session.dirty if isinstance(o, Inspection) and any(changed(o, n) for n in FIELDS)
    ]
    gone = {o.id for o in session.deleted if isinstance(o, Inspection)}
    delta: Counter[Cell] = Counter()
    if dirty or gone:
        for row in _stored(session, {o.id for o in dirty} | gone):
            if (c := cell(*row)) is not None:
                delta[c] -= 1
    session.info[_STATE] = (delta, [o for o in dirty if o.id not in gone])


def _plain(obj: Inspection) -> tuple[str, uuid.UUID, datetime] | None:
    """The flushed values when all three are plain Python values (not SQL expressions)."""
    now = attributes.instance_state(obj).dict
    values = tuple(now.get(n) for n in FIELDS)
    ok = (str, uuid.UUID, datetime)
    if all(isinstance(v, t) for v, t in zip(values, ok, strict=True)):
        return values  # type: ignore[return-value]
    return None


def _after_flush(session: Session, _ctx: UOWTransaction) -> None:
    pending = session.info.pop(_STATE, None)
    if pending is None:
        return
    delta, dirty = pending
    objs = [o for o in session.new if isinstance(o, Inspection)] + dirty
    reread: set[uuid.UUID] = set()
    for obj in objs:
        values = _plain(obj)
        if values is None:
            reread.add(obj.id)
        elif (c := cell(*values)) is not None:
            delta[c] += 1
    if reread:
        for row in _stored(session, reread):
            if (c := cell(*row)) is not None:
                delta[c] += 1
    _apply(session, delta)


def _apply(session: Session, delta: Counter[Cell]) -> None:
    rows = [
        {"year": y, "enterprise_id": e, "month": m, "n": n}
        for (y, e, m), n in sorted(delta.items(), key=lambda kv: (kv[0][0], kv[0][1].hex, kv[0][2]))
        if n != 0
    ]
    if not rows:
        return
    conn = session.connection()
    table: Any = PrincipalCheckMonth.__table__
    conn.execute(cell_upsert(table, conn.dialect.name), rows)


def install(target: Any) -> None:
    """Register the hooks on `target` (a Session class or sessionmaker); idempotent."""
    install_flush_hooks(target, _before_flush, _after_flush)


def backfill_sql(dialect: str) -> str:
    """The statement rebuilding the table from the inspections (an empty table expected)."""
    if dialect == "postgresql":
        local = "timezone('Asia/Shanghai', started_at)"
        year, month = f"extract(year FROM {local})::int", f"extract(month FROM {local})::int"
    else:
        year = "CAST(strftime('%Y', started_at, '+8 hours') AS INTEGER)"
        month = "CAST(strftime('%m', started_at, '+8 hours') AS INTEGER)"
    return (
        "INSERT INTO principal_check_months (year, enterprise_id, month, n) "
        f"SELECT {year}, enterprise_id, {month}, count(*) FROM inspections "
        f"WHERE kind = '{_PRINCIPAL}' GROUP BY 1, 2, 3"
    )
