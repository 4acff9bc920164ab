"""An enterprise's own records: emergency drills (演练), training (培训) and special-operations
certificates (特种作业操作证) — brief §2, §7; plan §三(六)11–13."""

from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum

from sqlalchemy import Boolean, Date, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, IdMixin, JSONType, TimestampMixin


class DrillKind(StrEnum):
    evacuation = "evacuation"  # 疏散逃生演练 (plan §三(六)12 counts these)
    comprehensive = "comprehensive"  # 综合应急预案演练
    special = "special"  # 专项应急预案演练
    tabletop = "tabletop"  # 桌面演练


DRILL_KIND_LABELS: dict[str, str] = {
    DrillKind.evacuation: "疏散逃生演练",
    DrillKind.comprehensive: "综合应急预案演练",
    DrillKind.special: "专项应急预案演练",
    DrillKind.tabletop: "桌面演练",
}


class PersonRole(StrEnum):
    principal = "principal"  # 主要负责人
    safety_manager = "safety_manager"  # 安全生产管理人员
    employee = "employee"  # 从业人员
    special_worker = "special_worker"  # 特种作业人员


PERSON_ROLE_LABELS: dict[str, str] = {
    PersonRole.principal: "主要负责人",
    PersonRole.safety_manager: "安全生产管理人员",
    PersonRole.employee: "从业人员",
    PersonRole.special_worker: "特种作业人员",
}


class TrainingTopic(StrEnum):
    principal_special = "principal_special"  # 主要负责人专题安全教育培训 (plan §三(六)11)
    hazard_standard = "hazard_standard"  # 重大事故隐患判定标准培训 (plan §三(三)4)
    all_staff = "all_staff"  # 全员安全培训 (plan §三(六)12)
    confined_space = "confined_space"  # 有限空间作业专题培训 (13号令)
    other = "other"


TRAINING_TOPIC_LABELS: dict[str, str] = {
    TrainingTopic.principal_special: "主要负责人专题安全教育培训",
    TrainingTopic.hazard_standard: "重大事故隐患判定标准培训",
    TrainingTopic.all_staff: "全员安全培训",
    TrainingTopic.confined_space: "有限空间作业培训",
    TrainingTopic.other: "其他",
}


class Drill(IdMixin, TimestampMixin, Base):
    __tablename__ = "drills"
    __table_args__ = (Index("ix_drills_enterprise_held", "enterprise_id", "held_on", "id"),)

    enterprise_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("enterprises.id", ondelete="RESTRICT")
    )
    held_on: Mapped[date] = mapped_column(Date, index=True)
    kind: Mapped[str] = mapped_column(String(32))
    scenario: Mapped[str] = mapped_column(String(300))
    participants: Mapped[int] = mapped_column(Integer)
    observed_by_street_office: Mapped[bool] = mapped_column(Boolean, default=False)
    findings: Mapped[str | None] = mapped_column(Text)
    plan_revised: Mapped[bool] = mapped_column(Boolean, default=False)
    photo_ids: Mapped[list[str]] = mapped_column(JSONType, default=list)
    created_by: Mapped[uuid.UUID | None] = mapped_column()


class Training(IdMixin, TimestampMixin, Base):
    __tablename__ = "trainings"
    __table_args__ = (
        Index("ix_trainings_enterprise_completed", "enterprise_id", "completed_on", "id"),
    )

    enterprise_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("enterprises.id", ondelete="RESTRICT")
    )
    person_name: Mapped[str] = mapped_column(String(100))
    person_role: Mapped[str] = mapped_column(String(32))
    topic: Mapped[str] = mapped_column(String(32))
    hours: Mapped[float] = mapped_column(Float)
    completed_on: Mapped[date] = mapped_column(Date)
    passed: Mapped[bool | None] = mapped_column(Boolean)
    created_by: Mapped[uuid.UUID | None] = mapped_column()


class Certificate(IdMixin, TimestampMixin, Base):
    __tablename__ = "certificates"
    __table_args__ = (
        Index("ix_certificates_enterprise_expires", "enterprise_id", "expires_on", "id"),
    )

    enterprise_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("enterprises.id", ondelete="RESTRICT")
    )
    holder_name: Mapped[str] = mapped_column(String(100))
    # Stored in full for the street office; everyone else sees it masked (PIPL art. 28).
    id_number: Mapped[str | None] = mapped_column(String(18))
    category: Mapped[str] = mapped_column(String(32))
    operation: Mapped[str | None] = mapped_column(String(100))
    certificate_no: Mapped[str] = mapped_column(String(64))
    issued_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date] = mapped_column(Date)
    next_review_on: Mapped[date] = mapped_column(Date)
    created_by: Mapped[uuid.UUID | None] = mapped_column()
