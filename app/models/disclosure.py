"""What the street office publishes (公布、曝光, plan §三(七)14, §四(四)): 挂牌督办 major hazards
and typical enforcement cases. Nothing is public until published; never a person's name."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, IdMixin, TimestampMixin


class DisclosureKind(StrEnum):
    major_hazard = "major_hazard"  # 挂牌督办重大事故隐患
    enforcement_case = "enforcement_case"  # 典型执法案例


DISCLOSURE_KIND_LABELS = {
    DisclosureKind.major_hazard: "挂牌督办重大事故隐患",
    DisclosureKind.enforcement_case: "典型执法案例",
}


class Disclosure(IdMixin, TimestampMixin, Base):
    __tablename__ = "disclosures"
    __table_args__ = (Index("ix_disclosures_published", "published_at", "id"),)

    kind: Mapped[str] = mapped_column(String(32))
    enterprise_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("enterprises.id", ondelete="RESTRICT"), index=True
    )
    hazard_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("hazards.id", ondelete="RESTRICT")
    )
    # Snapshots written at publication, so the public text is what the office approved.
    enterprise_name: Mapped[str] = mapped_column(String(200))
    item: Mapped[str] = mapped_column(Text)
    basis: Mapped[str] = mapped_column(Text)
    deadline: Mapped[date | None] = mapped_column(Date)
    case_status: Mapped[str | None] = mapped_column(String(100))
    published_at: Mapped[datetime | None] = mapped_column()
    unpublished_at: Mapped[datetime | None] = mapped_column()
    created_by: Mapped[uuid.UUID | None] = mapped_column()
