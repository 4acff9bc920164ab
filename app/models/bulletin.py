"""晾晒通报 bulletins (plan §四(一)): a period's figures, rendered once and kept."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import Date, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column

from app.models.base import Base, IdMixin, JSONType, TimestampMixin


class Bulletin(IdMixin, TimestampMixin, Base):
    __tablename__ = "bulletins"
    __table_args__ = (UniqueConstraint("period_start", "period_end"),)

    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    label: Mapped[str] = mapped_column(String(32))
    # Aggregates only (no person's name): served to dashboards as is.
    summary: Mapped[dict[str, Any]] = mapped_column(JSONType)
    # The files are read only when downloaded.
    xlsx: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    pdf: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    created_by: Mapped[uuid.UUID | None] = mapped_column()
