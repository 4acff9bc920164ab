"""Accidents (事故, graded per 493号令 第三条) and warning interviews (警示约谈, plan §三(三)6)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, IdMixin, TimestampMixin


class Accident(IdMixin, TimestampMixin, Base):
    __tablename__ = "accidents"
    __table_args__ = (Index("ix_accidents_occurred", "occurred_at", "id"),)

    enterprise_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("enterprises.id", ondelete="RESTRICT"), index=True
    )
    occurred_at: Mapped[datetime] = mapped_column()
    description: Mapped[str] = mapped_column(Text)
    deaths: Mapped[int] = mapped_column(Integer)
    serious_injuries: Mapped[int] = mapped_column(Integer)
    direct_loss_yuan: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    # Derived by app.rules.accidents.accident_grade; stored so statistics can group by it.
    grade: Mapped[str] = mapped_column(String(32), index=True)
    # 重大涉险事故 (plan §三(三)6): an event with major danger whatever its grade; like a
    # 较大及以上 accident it must be followed by a 警示约谈 and a report to the district.
    major_risk_event: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_by: Mapped[uuid.UUID | None] = mapped_column()


class Interview(IdMixin, TimestampMixin, Base):
    __tablename__ = "interviews"
    __table_args__ = (Index("ix_interviews_held", "held_on", "id"),)

    enterprise_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("enterprises.id", ondelete="RESTRICT"), index=True
    )
    person_name: Mapped[str] = mapped_column(String(100))
    person_title: Mapped[str | None] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text)
    accident_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accidents.id", ondelete="RESTRICT")
    )
    # No foreign key: the hazards table lives on another migration branch (issue 4).
    hazard_id: Mapped[uuid.UUID | None] = mapped_column()
    held_on: Mapped[date] = mapped_column(Date)
    reported_to_district: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[uuid.UUID | None] = mapped_column()
