"""Public hazard reports (群众举报) from the WeChat mini-program, their photos and triage.

Kept apart from the hazard ledger until a member of staff triages them (brief §2). Nothing
here identifies the reporter beyond the optional phone number, which is stored encrypted
(`app/services/public_reports/contact.py`); neither the client address nor the device id is
ever stored (PIPL minimisation, quality-notes §6 R8).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, Date, Float, ForeignKey, Index, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, IdMixin, utcnow
from app.models.upload import StoredPhoto


class ReportStatus(StrEnum):
    received = "received"  # 已受理，待处理
    triaged = "triaged"  # 已处理


class ReportOutcome(StrEnum):
    pending = "pending"  # 待研判
    accepted = "accepted"  # 已采纳，转入隐患台账
    duplicate = "duplicate"  # 重复举报
    invalid = "invalid"  # 不予采纳


STATUS_LABELS: dict[str, str] = {ReportStatus.received: "已受理", ReportStatus.triaged: "已处理"}
OUTCOME_LABELS: dict[str, str] = {
    ReportOutcome.pending: "待研判",
    ReportOutcome.accepted: "已采纳",
    ReportOutcome.duplicate: "重复举报",
    ReportOutcome.invalid: "不予采纳",
}


class PublicUpload(IdMixin, StoredPhoto, Base):
    """An anonymous, sanitised photo; usable by one public report within 24 h of upload."""

    __tablename__ = "public_uploads"

    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    used_by_report_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("public_reports.id", ondelete="SET NULL"), index=True
    )


class PublicReport(IdMixin, Base):
    __tablename__ = "public_reports"
    __table_args__ = (
        # Staff lists: newest first, optionally per enterprise; duplicate search by enterprise.
        Index("ix_public_reports_received_id", "received_at", "id"),
        Index("ix_public_reports_enterprise_received", "enterprise_id", "received_at", "id"),
        Index("ix_public_reports_lat_lng", "latitude", "longitude"),
    )

    receipt_code: Mapped[str] = mapped_column(String(19), unique=True)
    description: Mapped[str] = mapped_column(String(2000))
    location_text: Mapped[str | None] = mapped_column(String(300))
    # GCJ-02, inside the jurisdiction's box (settings.jurisdiction_bbox).
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    enterprise_name: Mapped[str | None] = mapped_column(String(200))
    # The enterprise the report was matched to (by name on receipt, or chosen at triage).
    enterprise_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("enterprises.id", ondelete="RESTRICT")
    )
    # Fernet token of the normalised mobile number; never logged, exported or fed.
    contact_phone_encrypted: Mapped[str | None] = mapped_column(String(255))
    wants_reward: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default=ReportStatus.received)
    outcome: Mapped[str] = mapped_column(String(16), default=ReportOutcome.pending, index=True)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Triage (brief §7): once only.
    decided_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime | None] = mapped_column()
    note: Mapped[str | None] = mapped_column(String(2000))
    duplicate_of_report_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("public_reports.id", ondelete="SET NULL")
    )
    duplicate_of_hazard_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("hazards.id", ondelete="SET NULL")
    )
    hazard_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("hazards.id", ondelete="RESTRICT"), index=True
    )
    # Reward (plan 主要任务4 / 保障措施(三)): decided by the street office.
    reward_eligible: Mapped[bool | None] = mapped_column(Boolean)
    reward_amount: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    reward_paid_on: Mapped[date | None] = mapped_column(Date)
    reward_decided_at: Mapped[datetime | None] = mapped_column()
    reward_decided_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    version: Mapped[int] = mapped_column(Integer, default=1)

    # A second, concurrent triage fails on the version check instead of overwriting the first.
    __mapper_args__: dict[str, Any] = {"version_id_col": version}


class PublicReportPhoto(Base):
    __tablename__ = "public_report_photos"

    report_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("public_reports.id", ondelete="CASCADE"), primary_key=True
    )
    upload_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("public_uploads.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
