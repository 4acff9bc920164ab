"""Permits to work (作业票), their history and numbers; the confined-space ledger (13号令
art. 6); written approval delegations (13号令 art. 7). Nothing here is ever deleted: a permit
ends `cancelled`/`closed`/…, a delegation is revoked, a space retired (GB 30871 B.3)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.audit import BigIntPK
from app.models.base import Base, IdMixin, JSONType, TimestampMixin, utcnow


class PermitStatus(StrEnum):
    draft = "draft"  # 草稿
    submitted = "submitted"  # 待审批
    approved = "approved"  # 已审批
    active = "active"  # 作业中
    suspended = "suspended"  # 暂停（中断）
    completed = "completed"  # 已完工
    closed = "closed"  # 已验收关闭
    rejected = "rejected"  # 已驳回
    cancelled = "cancelled"  # 已取消
    revoked = "revoked"  # 已收回
    expired = "expired"  # 已过期


class Duty(StrEnum):
    """Enterprise duties a delegation grants (permits.md §8 role mapping)."""

    principal = "principal"  # 主要负责人
    safety_manager = "safety_manager"  # 安全管理部门
    dept_head = "dept_head"  # 基层单位 / 专业部门负责人
    chief_engineer = "chief_engineer"  # 主管厂长或总工程师
    principal_delegate = "principal_delegate"  # 主要负责人书面委托的审批人（13号令第七条）


class ConfinedSpace(IdMixin, TimestampMixin, Base):
    """有限空间管理台账 (13号令 art. 6): number, location, hazards."""

    __tablename__ = "confined_spaces"
    __table_args__ = (UniqueConstraint("enterprise_id", "code"),)

    enterprise_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("enterprises.id", ondelete="RESTRICT")
    )
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    location: Mapped[str] = mapped_column(String(300))
    medium: Mapped[str | None] = mapped_column(String(300))
    # Gas codes of H2S/CO/CO2 poisoning or asphyxiation risk (art. 7, 第十三条 scope).
    poisoning_gases: Mapped[list[str]] = mapped_column(JSONType, default=list)
    poisoning_risk: Mapped[bool] = mapped_column(Boolean, default=False)
    signs_posted: Mapped[bool] = mapped_column(Boolean, default=False)  # art. 11
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[uuid.UUID | None] = mapped_column()


class Delegation(IdMixin, TimestampMixin, Base):
    """Who holds which approval duty, by written designation or delegation (13号令 art. 7)."""

    __tablename__ = "permit_delegations"
    __table_args__ = (Index("ix_permit_delegations_grantee", "grantee_id", "enterprise_id"),)

    enterprise_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("enterprises.id", ondelete="RESTRICT"), index=True
    )
    grantee_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    duty: Mapped[str] = mapped_column(String(32))
    permit_types: Mapped[list[str]] = mapped_column(JSONType, default=list)
    valid_from: Mapped[datetime] = mapped_column()
    valid_to: Mapped[datetime] = mapped_column()
    document_upload_id: Mapped[uuid.UUID | None] = mapped_column()
    note: Mapped[str | None] = mapped_column(String(2000))
    granted_by: Mapped[uuid.UUID | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()
    revoked_by: Mapped[uuid.UUID | None] = mapped_column()
    revoke_reason: Mapped[str | None] = mapped_column(String(2000))


class Permit(IdMixin, TimestampMixin, Base):
    __tablename__ = "permits"
    __table_args__ = (
        UniqueConstraint("enterprise_id", "permit_no"),
        Index("ix_permits_enterprise_created", "enterprise_id", "created_at", "id"),
        # The live view: active/suspended permits, by status.
        Index("ix_permits_status_enterprise", "status", "enterprise_id"),
    )

    enterprise_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("enterprises.id", ondelete="RESTRICT")
    )
    permit_no: Mapped[str] = mapped_column(String(32))
    type: Mapped[str] = mapped_column(String(32))
    grade: Mapped[str | None] = mapped_column(String(16))
    grade_computed: Mapped[str | None] = mapped_column(String(16))
    grade_inputs: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    grade_reasons: Mapped[list[str]] = mapped_column(JSONType, default=list)
    grade_override_reason: Mapped[str | None] = mapped_column(String(2000))
    location: Mapped[str] = mapped_column(String(300))
    work_content: Mapped[str] = mapped_column(String(4000))
    method: Mapped[str | None] = mapped_column(String(300))
    work_unit: Mapped[str | None] = mapped_column(String(200))
    risk_identification: Mapped[str | None] = mapped_column(String(4000))
    confined_space_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("confined_spaces.id", ondelete="RESTRICT"), index=True
    )
    predecessor_id: Mapped[uuid.UUID | None] = mapped_column()
    # 关联作业票 (GB 30871-2022 4.6): e.g. hot work inside a confined space names that permit.
    # No foreign key, as predecessor_id: permits are never deleted, and a self-reference
    # would make bulk deletes order-dependent on SQLite.
    related_permit_id: Mapped[uuid.UUID | None] = mapped_column()
    # Outdoor work: the wind stop of GB 30871-2022 5.2.15 applies to outdoor hot work.
    outdoor: Mapped[bool] = mapped_column(Boolean, default=False)
    # 特级动火 is filmed (GB 30871-2022 5.2.11): the recording's reference, set before start.
    video_ref: Mapped[str | None] = mapped_column(String(300))
    # 清理现场、确认无残留火种 (GB 30871-2022 5.2.14), by a fire watch named on the permit.
    residual_checked_at: Mapped[datetime | None] = mapped_column()
    residual_checked_by: Mapped[uuid.UUID | None] = mapped_column()
    planned_start: Mapped[datetime] = mapped_column()
    planned_end: Mapped[datetime] = mapped_column()
    valid_from: Mapped[datetime] = mapped_column()
    valid_to: Mapped[datetime] = mapped_column()
    status: Mapped[str] = mapped_column(String(16))
    status_reason: Mapped[str | None] = mapped_column(String(2000))
    # Approval route snapshot at submit (matrix + overlay), and the rules version used.
    approval: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    rules_version: Mapped[str] = mapped_column(String(64))
    applicant_id: Mapped[uuid.UUID | None] = mapped_column()
    approved_by: Mapped[uuid.UUID | None] = mapped_column()
    # 13号令 art. 18: a street order-stop needs review and consent before work resumes.
    requires_review: Mapped[bool] = mapped_column(Boolean, default=False)
    submitted_at: Mapped[datetime | None] = mapped_column()
    approved_at: Mapped[datetime | None] = mapped_column()
    started_at: Mapped[datetime | None] = mapped_column()
    suspended_at: Mapped[datetime | None] = mapped_column()
    completed_at: Mapped[datetime | None] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column()
    ended_at: Mapped[datetime | None] = mapped_column()  # rejected/cancelled/revoked/expired
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__: dict[str, Any] = {"version_id_col": version}


class PermitHistory(Base):
    """Every transition of a permit; the first row is the creation."""

    __tablename__ = "permit_history"
    __table_args__ = (UniqueConstraint("permit_id", "seq"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    permit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("permits.id", ondelete="RESTRICT"))
    seq: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[uuid.UUID | None] = mapped_column()
    actor_role: Mapped[str | None] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str | None] = mapped_column(String(4000))
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)


class PermitCounter(Base):
    """Last permit sequence per enterprise and year: numbers are never reused (gaps allowed)."""

    __tablename__ = "permit_counters"

    enterprise_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("enterprises.id", ondelete="RESTRICT"), primary_key=True
    )
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer, default=0)
