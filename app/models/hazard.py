"""The hazard ledger (隐患台账), its history, photo links, ledger counters and the change log."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.models.audit import BigIntPK
from app.models.base import Base, IdMixin, JSONType, TimestampMixin, utcnow


class HazardStatus(StrEnum):
    reported = "reported"  # 已登记
    rectifying = "rectifying"  # 整改中
    pending_verification = "pending_verification"  # 待验收
    closed = "closed"  # 已销号
    voided = "voided"  # 已作废


class HazardSource(StrEnum):
    self_check = "self_check"
    principal_check = "principal_check"
    grid_patrol = "grid_patrol"
    enforcement = "enforcement"
    public_report = "public_report"
    permit_check = "permit_check"  # detected by a permit's guards (issue 15)
    other = "other"


class HazardCategory(StrEnum):
    confined_space = "confined_space"
    work_at_height = "work_at_height"
    hot_work = "hot_work"
    dust = "dust"
    ammonia = "ammonia"
    electrical = "electrical"
    fire = "fire"
    equipment = "equipment"
    management = "management"
    other = "other"


class HazardType(StrEnum):
    unsafe_act = "unsafe_act"  # 人的不安全行为
    unsafe_condition = "unsafe_condition"  # 物的不安全状态
    management_defect = "management_defect"  # 管理缺陷


class PhotoKind(StrEnum):
    found = "found"  # 发现时拍摄
    evidence = "evidence"  # 整改佐证


class Hazard(IdMixin, TimestampMixin, Base):
    __tablename__ = "hazards"
    __table_args__ = (
        # Keyset order of the ledger is (found_at, id) descending; each filter column leads a
        # composite so "status=… newest first" is an index range scan (bench/README.md).
        Index("ix_hazards_found_at_id", "found_at", "id"),
        Index("ix_hazards_status_found", "status", "found_at", "id"),
        Index("ix_hazards_level_found", "level", "found_at", "id"),
        Index("ix_hazards_enterprise_found", "enterprise_id", "found_at", "id"),
        Index("ix_hazards_status_deadline", "status", "deadline"),
        Index("ix_hazards_supervised_found", "supervised", "found_at", "id"),
        Index("ix_hazards_source_found", "source", "found_at", "id"),
        Index("ix_hazards_category_found", "category", "found_at", "id"),
        # /stats/overview medians: an index-only OFFSET walk (migration 0008, PostgreSQL only).
        Index(
            "ix_hazards_close_span",
            "status",
            "level",
            text("(closed_at - found_at)"),
            postgresql_include=["found_at", "closed_at"],
        ).ddl_if(dialect="postgresql"),
    )

    ledger_no: Mapped[str] = mapped_column(String(32), unique=True)
    enterprise_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("enterprises.id", ondelete="RESTRICT")
    )
    source: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(String(4000))
    location: Mapped[str | None] = mapped_column(String(300))
    category: Mapped[str] = mapped_column(String(32))
    hazard_type: Mapped[str | None] = mapped_column(String(32))
    level: Mapped[str] = mapped_column(String(16))
    basis: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    status: Mapped[str] = mapped_column(String(32))
    fixed_on_spot: Mapped[bool] = mapped_column(Boolean, default=False)
    found_at: Mapped[datetime] = mapped_column(default=utcnow)
    found_by: Mapped[uuid.UUID | None] = mapped_column()
    # Whose side found it decides who verifies a general hazard (brief §3).
    found_by_role: Mapped[str | None] = mapped_column(String(32))
    # No foreign key: the inspections table belongs to issue 3 and a later migration.
    inspection_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    # Rectification plan (五落实 for major hazards: 责任、措施、资金、时限、预案).
    responsible_person: Mapped[str | None] = mapped_column(String(100))
    deadline: Mapped[date | None] = mapped_column(Date)
    measures: Mapped[str | None] = mapped_column(String(4000))
    funds: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    goal: Mapped[str | None] = mapped_column(String(2000))
    interim_measures: Mapped[str | None] = mapped_column(String(4000))
    emergency_plan: Mapped[str | None] = mapped_column(String(4000))
    evidence: Mapped[str | None] = mapped_column(String(4000))
    planned_at: Mapped[datetime | None] = mapped_column()
    submitted_at: Mapped[datetime | None] = mapped_column()
    verified_at: Mapped[datetime | None] = mapped_column()
    verified_by: Mapped[uuid.UUID | None] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column()
    voided_at: Mapped[datetime | None] = mapped_column()
    void_reason: Mapped[str | None] = mapped_column(String(2000))
    # 挂牌督办 (brief §7).
    supervised: Mapped[bool] = mapped_column(Boolean, default=False)
    supervise_unit: Mapped[str | None] = mapped_column(String(200))
    supervise_due: Mapped[date | None] = mapped_column(Date)
    supervised_at: Mapped[datetime | None] = mapped_column()
    production_suspended: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__: dict[str, Any] = {"version_id_col": version}


class HazardHistory(Base):
    """One row per transition; the first is the creation (brief §3)."""

    __tablename__ = "hazard_history"
    __table_args__ = (UniqueConstraint("hazard_id", "seq"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    hazard_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("hazards.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(32))
    to_status: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[uuid.UUID | None] = mapped_column()
    actor_role: Mapped[str | None] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str | None] = mapped_column(String(4000))
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)


class HazardPhoto(Base):
    __tablename__ = "hazard_photos"

    hazard_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("hazards.id", ondelete="CASCADE"), primary_key=True
    )
    upload_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("uploads.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(Integer, default=0)


class LedgerCounter(Base):
    """Last ledger sequence number used per year (gaps allowed, repeats never)."""

    __tablename__ = "ledger_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer, default=0)
