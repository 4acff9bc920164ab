"""Change capture for the feed: every flush that inserts or changes a tracked row logs it.

A session event rather than a call in each service, so enterprises (foundation), hazards
(issue 4) and inspections (issue 3) are captured alike and no write path can forget it; the
change row is written on the same connection, so it commits or rolls back with the change.

Ordering (issue 4: "a change committed late must not be skipped"): each row carries the
writing transaction's id (`pg_current_xact_id()`, 64-bit, never wraps) and the reader only
returns rows of transactions older than its snapshot's xmin — see `feed.py`. On SQLite the
writer lock is held from the first write to commit, so `seq` order is commit order and
`txid` is 0.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Text,
    cast,
    column,
    event,
    func,
    insert,
    literal,
    select,
    table,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, UOWTransaction, attributes

from app.models.change import Change
from app.models.enterprise import Enterprise

# Table name → the object type the feed reports (the inspection model belongs to issue 3 and
# is matched by table name, so this module does not import it).
TRACKED = {
    "enterprises": "enterprise",
    "hazards": "hazard",
    "inspections": "inspection",
    "permits": "permit",
    "confined_spaces": "confined_space",
}
# A permit's site records (issue 15) carry no enterprise of their own: theirs is their permit's.
PERMIT_RECORDS = {
    "permit_people": "permit_person",
    "permit_measures": "permit_measure",
    "permit_ventilation": "permit_ventilation",
    "permit_gas_tests": "permit_gas_test",
    "permit_interruptions": "permit_interruption",
    "permit_entries": "permit_entry",
}
_PERMITS = table("permits", column("id"), column("enterprise_id"))


def _txid(session: Session) -> ColumnElement[Any]:
    if session.get_bind().dialect.name == "postgresql":
        return cast(cast(func.pg_current_xact_id(), Text), BigInteger)
    return literal(0, BigInteger)


def _permit_record(obj: Any, kind: str) -> dict[str, Any]:
    enterprise_id = (
        select(_PERMITS.c.enterprise_id).where(_PERMITS.c.id == obj.permit_id).scalar_subquery()
    )
    return {
        "object_type": kind,
        "object_id": obj.id,
        "enterprise_id": enterprise_id,
        "grid_id": select(Enterprise.grid_id)
        .where(Enterprise.id == enterprise_id)
        .scalar_subquery(),
        "prev_grid_id": None,
    }


def _row(obj: Any) -> dict[str, Any] | None:
    name = getattr(obj, "__tablename__", "")
    if name in PERMIT_RECORDS:
        return _permit_record(obj, PERMIT_RECORDS[name])
    kind = TRACKED.get(name)
    if kind is None:
        return None
    if kind == "enterprise":
        hist = attributes.get_history(obj, "grid_id")
        prev = hist.deleted[0] if hist.deleted else None
        return {
            "object_type": kind,
            "object_id": obj.id,
            "enterprise_id": obj.id,
            "grid_id": obj.grid_id,
            "prev_grid_id": prev if prev != obj.grid_id else None,
        }
    enterprise_id: uuid.UUID | None = getattr(obj, "enterprise_id", None)
    if enterprise_id is None:
        return None
    return {
        "object_type": kind,
        "object_id": obj.id,
        "enterprise_id": enterprise_id,
        "grid_id": select(Enterprise.grid_id)
        .where(Enterprise.id == enterprise_id)
        .scalar_subquery(),
        "prev_grid_id": None,
        **(_hazard_snapshot(obj) if kind == "hazard" else {}),
        **({"status": str(obj.status)} if kind == "permit" else {}),
    }


def _hazard_snapshot(obj: Any) -> dict[str, Any]:
    """The hazard as of this change, so the feed reports the status it had then (issue 12)."""
    return {
        "status": str(obj.status),
        "level": str(obj.level),
        "deadline": obj.deadline,
        "supervised": bool(obj.supervised),
    }


def _log_changes(session: Session, _ctx: UOWTransaction) -> None:
    objs = list(session.new) + [
        o for o in session.dirty if session.is_modified(o, include_collections=False)
    ]
    rows = [r for r in map(_row, objs) if r is not None]
    if not rows:
        return
    conn = session.connection()
    txid = _txid(session)
    for row in rows:
        conn.execute(insert(Change).values(txid=txid, **row))


def install(target: type[Session]) -> None:
    """Attach change capture to the session class a sessionmaker builds (app/core/db.py)."""
    event.listen(target, "after_flush", _log_changes)


async def log_scope_loss(
    session: AsyncSession, *, user_id: uuid.UUID, lost_grid_ids: set[uuid.UUID]
) -> None:
    """A grid-staff account lost grids: tell its feed (only its feed) that every enterprise of
    those grids left its scope, so the phone app drops them and everything under them."""
    if not lost_grid_ids:
        return
    rows = (
        await session.execute(
            select(Enterprise.id, Enterprise.grid_id).where(Enterprise.grid_id.in_(lost_grid_ids))
        )
    ).all()
    txid = _txid(session.sync_session)
    for enterprise_id, grid_id in rows:
        await session.execute(
            insert(Change).values(
                txid=txid,
                object_type="enterprise",
                object_id=enterprise_id,
                enterprise_id=enterprise_id,
                grid_id=grid_id,
                prev_grid_id=grid_id,
                audience_user_id=user_id,
            )
        )
