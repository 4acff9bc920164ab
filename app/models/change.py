"""The sync feed's change log (issue 4, issue 12), written by the flush hook in
`app/services/sync/tracking.py` for enterprises, hazards and inspections alike."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import BigInteger, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.audit import BigIntPK
from app.models.base import Base, utcnow


class Change(Base):
    """The change log behind `GET /api/v1/sync/changes` (see app/services/sync/).

    Feed order is (txid, seq): `txid` is the writing transaction's PostgreSQL id (0 on SQLite,
    where writers are serialised); a reader only takes rows of transactions older than its
    snapshot's xmin, so a slow transaction committing late can never fall behind a cursor.
    """

    __tablename__ = "changes"
    __table_args__ = (
        Index("ix_changes_position", "txid", "seq"),
        Index("ix_changes_enterprise", "enterprise_id", "txid", "seq"),
    )

    seq: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    txid: Mapped[int] = mapped_column(BigInteger, default=0)
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[uuid.UUID] = mapped_column()
    enterprise_id: Mapped[uuid.UUID] = mapped_column()
    # The enterprise's grid after the change, and before it when the change moved it.
    grid_id: Mapped[uuid.UUID | None] = mapped_column()
    prev_grid_id: Mapped[uuid.UUID | None] = mapped_column()
    # Set on a row meant for one account only: its grids changed and the enterprise left
    # its scope, so that account's feed reports the enterprise as removed.
    audience_user_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    # A hazard as of this change (issue 12): a feed reader sees the status it had then, not
    # the one it has now. Null for other objects and for rows written before revision 0012.
    status: Mapped[str | None] = mapped_column(String(32))
    level: Mapped[str | None] = mapped_column(String(16))
    deadline: Mapped[date | None] = mapped_column()
    supervised: Mapped[bool | None] = mapped_column()
