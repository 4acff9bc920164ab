"""五带头 records (plan §四(二)): what an enterprise's principal head did in person."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, IdMixin, TimestampMixin


class PrincipalAction(IdMixin, TimestampMixin, Base):
    __tablename__ = "principal_actions"
    __table_args__ = (
        Index("ix_principal_actions_enterprise_on", "enterprise_id", "acted_on", "id"),
    )

    enterprise_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("enterprises.id", ondelete="RESTRICT")
    )
    # One of app.rules.five_lead.FIVE_LEAD codes.
    action: Mapped[str] = mapped_column(String(32))
    principal_name: Mapped[str] = mapped_column(String(100))
    acted_on: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text)
    created_by: Mapped[uuid.UUID | None] = mapped_column()
