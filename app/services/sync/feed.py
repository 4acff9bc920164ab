"""Reading the change feed, scoped to the caller (brief §4, issue 4).

Position = (txid, seq). On PostgreSQL only rows whose transaction id is below the reader's
snapshot xmin are returned: every transaction below xmin has ended, so no row can later
appear at a position before one already handed out. A long writer holds the feed back
(bounded by the statement timeout) but never makes it skip.

An object the caller can no longer see (its enterprise moved to another grid) is reported as
`removed` — the client drops it and, for an enterprise, everything under it. Entries carry
ids, codes and status only, never personal fields, so the dashboard reads the same feed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Text, and_, cast, func, or_, select, true, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.change import Change
from app.models.enterprise import Enterprise
from app.models.hazard import Hazard, HazardStatus
from app.models.user import Role
from app.services.pagination import cursor_key, decode_cursor, encode_cursor
from app.services.policy import Actor, Permission, require_permission
from app.services.sync.tracking import PERMIT_RECORDS

PERMIT_KINDS = ("permit", "confined_space", *PERMIT_RECORDS.values())


@dataclass(frozen=True)
class FeedEntry:
    position: str
    object_type: str
    object_id: uuid.UUID
    enterprise_id: uuid.UUID
    op: str  # upsert | voided | removed
    status: str | None
    changed_at: datetime
    # Hazards only: the row as of the change (status, level, deadline, supervision), its
    # immutable ledger number and category; enough for a dashboard's list without a read.
    grid_id: uuid.UUID | None = None
    ledger_no: str | None = None
    category: str | None = None
    level: str | None = None
    deadline: date | None = None
    supervised: bool | None = None


def _relevant(actor: Actor) -> ColumnElement[bool]:
    """Rows the caller saw or sees: its enterprise, or its grids then or now, or rows addressed
    to it alone (its grid assignment changed). Rows addressed to someone else are skipped."""
    mine = or_(Change.audience_user_id.is_(None), Change.audience_user_id == actor.user_id)
    if actor.role in (Role.street_office, Role.dashboard):
        return Change.audience_user_id.is_(None)
    if actor.role == Role.enterprise_head and actor.enterprise_id is not None:
        return and_(mine, Change.enterprise_id == actor.enterprise_id)
    grids = list(actor.grid_ids)
    return and_(
        mine,
        or_(
            Change.audience_user_id == actor.user_id,
            Enterprise.grid_id.in_(grids),
            Change.grid_id.in_(grids),
            Change.prev_grid_id.in_(grids),
        ),
    )


def _kinds(actor: Actor) -> ColumnElement[bool]:
    """Permits and their records only for those who may read permits (the dashboard may not):
    the same scope as the permit routes, whose enterprise and grid rules `_relevant` applies."""
    if actor.can(Permission.PERMIT_READ):
        return true()
    return Change.object_type.not_in(PERMIT_KINDS)


def _visible_now(actor: Actor, enterprise_id: uuid.UUID, grid_id: uuid.UUID) -> bool:
    if actor.role in (Role.street_office, Role.dashboard):
        return True
    if actor.role == Role.enterprise_head:
        return enterprise_id == actor.enterprise_id
    return grid_id in actor.grid_ids


def _horizon(session: AsyncSession) -> ColumnElement[bool]:
    if session.get_bind().dialect.name != "postgresql":
        return true()
    xmin = cast(cast(func.pg_snapshot_xmin(func.pg_current_snapshot()), Text), BigInteger)
    return Change.txid < select(xmin).scalar_subquery()


# The feed's position is a signed cursor over these columns (`since` is one of them).
_POSITION = [Change.txid, Change.seq]


def _entry(
    actor: Actor, change: Change, grid_id: uuid.UUID, hazard: _Current | None, key: bytes
) -> FeedEntry:
    # Rows written before revision 0012 carry no snapshot: report the current status.
    status = change.status or (hazard.status if hazard is not None else None)
    if not _visible_now(actor, change.enterprise_id, grid_id):
        return FeedEntry(
            position=encode_cursor([change.txid, change.seq], _POSITION, key=key),
            object_type=change.object_type,
            object_id=change.object_id,
            enterprise_id=change.enterprise_id,
            op="removed",
            status=None,
            changed_at=change.at,
        )
    snapshot = change.status is not None
    return FeedEntry(
        position=encode_cursor([change.txid, change.seq], _POSITION, key=key),
        object_type=change.object_type,
        object_id=change.object_id,
        enterprise_id=change.enterprise_id,
        op="voided" if status == HazardStatus.voided else "upsert",
        status=status,
        changed_at=change.at,
        grid_id=grid_id,
        ledger_no=hazard.ledger_no if hazard is not None else None,
        category=hazard.category if hazard is not None else None,
        level=change.level if snapshot else (hazard.level if hazard is not None else None),
        deadline=change.deadline if snapshot else (hazard.deadline if hazard else None),
        supervised=change.supervised if snapshot else (hazard.supervised if hazard else None),
    )


@dataclass(frozen=True)
class _Current:
    status: str
    ledger_no: str
    category: str
    level: str
    deadline: date | None
    supervised: bool


def _current(row: Any) -> _Current | None:
    return None if row[2] is None else _Current(*row[2:8])


async def read_changes(
    session: AsyncSession, *, actor: Actor, since: str | None, limit: int
) -> tuple[list[FeedEntry], str, bool]:
    """Entries after `since`, the position to resume from (never null), and `has_more`."""
    require_permission(actor, Permission.SYNC_READ)
    key = cursor_key(session)
    after: list[Any] = decode_cursor(since, _POSITION, key=key) if since else [-1, 0]
    stmt = (
        select(
            Change,
            Enterprise.grid_id,
            Hazard.status,
            Hazard.ledger_no,
            Hazard.category,
            Hazard.level,
            Hazard.deadline,
            Hazard.supervised,
        )
        .join(Enterprise, Enterprise.id == Change.enterprise_id)
        .outerjoin(Hazard, (Change.object_type == "hazard") & (Hazard.id == Change.object_id))
        .where(tuple_(Change.txid, Change.seq) > tuple_(*after), _horizon(session))
        .where(_relevant(actor), _kinds(actor))
        .order_by(Change.txid, Change.seq)
        .limit(limit + 1)
    )
    rows = (await session.execute(stmt)).all()
    has_more = len(rows) > limit
    entries = [_entry(actor, r[0], r[1], _current(r), key) for r in rows[:limit]]
    position = entries[-1].position if entries else encode_cursor(after, _POSITION, key=key)
    return entries, position, has_more
