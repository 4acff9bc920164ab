"""Inspections (检查): responses per checklist item and 逢查必考、逢查必问 quiz records."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, JSONType, TimestampMixin


class InspectionKind(StrEnum):
    self_check = "self_check"  # 企业自查
    principal_check = "principal_check"  # 主要负责人带队检查 (plan §三(三)4)
    grid_patrol = "grid_patrol"  # 网格巡查
    enforcement = "enforcement"  # 执法检查
    assistance = "assistance"  # 帮扶指导


INSPECTION_KIND_LABELS = {
    InspectionKind.self_check: "企业自查",
    InspectionKind.principal_check: "主要负责人带队检查",
    InspectionKind.grid_patrol: "网格巡查",
    InspectionKind.enforcement: "执法检查",
    InspectionKind.assistance: "帮扶指导",
}


class ResponseResult(StrEnum):
    passed = "pass"  # 符合
    failed = "fail"  # 不符合 → 重大事故隐患
    na = "na"  # 不涉及


RESPONSE_RESULT_LABELS = {
    ResponseResult.passed: "符合",
    ResponseResult.failed: "不符合",
    ResponseResult.na: "不涉及",
}


class Inspection(TimestampMixin, Base):
    __tablename__ = "inspections"
    __table_args__ = (
        Index("ix_inspections_started", "started_at", "id"),
        Index("ix_inspections_enterprise_started", "enterprise_id", "started_at", "id"),
    )

    # Client-supplied when the phone app created it offline.
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    enterprise_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("enterprises.id", ondelete="RESTRICT")
    )
    kind: Mapped[str] = mapped_column(String(32), index=True)
    started_at: Mapped[datetime] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()
    led_by: Mapped[str | None] = mapped_column(String(100))
    inspectors: Mapped[list[str]] = mapped_column(JSONType, default=list)
    filed_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    filed_by_role: Mapped[str] = mapped_column(String(32))
    standard_version: Mapped[str] = mapped_column(
        ForeignKey("standards.version", ondelete="RESTRICT")
    )
    # Check-in, GCJ-02 like the enterprise's coordinates; distance kept as computed then.
    checkin_latitude: Mapped[float | None] = mapped_column(Float)
    checkin_longitude: Mapped[float | None] = mapped_column(Float)
    checkin_accuracy_m: Mapped[float | None] = mapped_column(Float)
    checkin_distance_m: Mapped[float | None] = mapped_column(Float)
    far_from_site: Mapped[bool | None] = mapped_column(Boolean)
    # Coverage as it was when filed: the enterprise's features may change later.
    applicable_count: Mapped[int] = mapped_column(Integer)
    answered_count: Mapped[int] = mapped_column(Integer)
    quiz_total: Mapped[int] = mapped_column(Integer, default=0)
    quiz_passed: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str | None] = mapped_column(Text)
    # What the inspection fulfils (plan §三(七)14): a plan item and/or a published draw; the
    # trigger decides whether the item's yearly cap binds (complaints and referrals do not).
    plan_item_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("inspection_plan_items.id", ondelete="RESTRICT"), index=True
    )
    draw_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("inspection_draws.id", ondelete="RESTRICT")
    )
    trigger: Mapped[str] = mapped_column(String(16), default="routine", server_default="routine")
    # SHA-256 of the canonical request body: an offline re-send is recognised by it.
    body_hash: Mapped[str] = mapped_column(String(64))


class InspectionResponse(Base):
    __tablename__ = "inspection_responses"

    inspection_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("inspections.id", ondelete="CASCADE"), primary_key=True
    )
    item_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    result: Mapped[str] = mapped_column(String(8))
    note: Mapped[str | None] = mapped_column(Text)
    device_failed: Mapped[bool] = mapped_column(Boolean, default=False)
    photo_ids: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    hazard_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("hazards.id", ondelete="SET NULL"), index=True
    )


class InspectionQuiz(Base):
    """逢查必考、逢查必问 (plan §三(三)4): who was asked what, and whether they passed."""

    __tablename__ = "inspection_quiz"

    inspection_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("inspections.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    person: Mapped[str] = mapped_column(String(100))
    question: Mapped[str] = mapped_column(Text)
    passed: Mapped[bool] = mapped_column(Boolean)
