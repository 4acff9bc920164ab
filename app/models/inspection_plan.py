"""Yearly inspection plans (检查计划), their items (检查事项), the 重点检查 list and 双随机
draws — plan §三(七)14."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, IdMixin, JSONType, TimestampMixin


class KeyLevel(StrEnum):
    district = "district"  # 区级重点
    street = "street"  # 街道重点


KEY_LEVEL_LABELS = {KeyLevel.district: "区级重点", KeyLevel.street: "街道重点"}


class InspectionTrigger(StrEnum):
    """Why an inspection happened: the yearly cap binds routine ones only."""

    routine = "routine"  # 计划内（重点检查、双随机抽查）
    complaint = "complaint"  # 投诉举报
    referral = "referral"  # 转办交办


TRIGGER_LABELS = {
    InspectionTrigger.routine: "计划内检查",
    InspectionTrigger.complaint: "投诉举报",
    InspectionTrigger.referral: "转办交办",
}


class InspectionPlan(IdMixin, TimestampMixin, Base):
    __tablename__ = "inspection_plans"
    __table_args__ = (UniqueConstraint("jurisdiction", "year"),)

    year: Mapped[int] = mapped_column(Integer)
    jurisdiction: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[uuid.UUID | None] = mapped_column()


class InspectionPlanItem(IdMixin, TimestampMixin, Base):
    """检查事项: what is inspected, on which legal basis, how, how often, and at most how many
    times a year one enterprise may be inspected for it."""

    __tablename__ = "inspection_plan_items"

    plan_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("inspection_plans.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    legal_basis: Mapped[str] = mapped_column(Text)
    method: Mapped[str] = mapped_column(String(200))
    frequency: Mapped[str] = mapped_column(String(100))
    yearly_cap: Mapped[int | None] = mapped_column(Integer)


class KeyListEntry(TimestampMixin, Base):
    """An enterprise on a plan's 重点检查 list (must be covered in full)."""

    __tablename__ = "inspection_key_list"

    plan_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("inspection_plans.id", ondelete="CASCADE"), primary_key=True
    )
    enterprise_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("enterprises.id", ondelete="RESTRICT"), primary_key=True
    )
    level: Mapped[str] = mapped_column(String(16))


class InspectionDraw(IdMixin, TimestampMixin, Base):
    """A 双随机 draw: its snapshots, seed and result are stored as drawn and never changed."""

    __tablename__ = "inspection_draws"
    __table_args__ = (Index("ix_inspection_draws_plan_created", "plan_id", "created_at", "id"),)

    plan_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("inspection_plans.id", ondelete="RESTRICT")
    )
    plan_item_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("inspection_plan_items.id", ondelete="RESTRICT")
    )
    algorithm: Mapped[str] = mapped_column(String(32))
    seed: Mapped[str] = mapped_column(String(128))
    count: Mapped[int | None] = mapped_column(Integer)
    ratio_percent: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    drawn_count: Mapped[int] = mapped_column(Integer)
    inspectors_per_enterprise: Mapped[int] = mapped_column(Integer)
    avoid_own_grid: Mapped[bool] = mapped_column()
    # [{"id", "grid_id"}], sorted by id; [{"enterprise_id", "reason"}]; [{"id", "grid_ids"}].
    object_pool: Mapped[list[Any]] = mapped_column(JSONType)
    exclusions: Mapped[list[Any]] = mapped_column(JSONType)
    inspector_pool: Mapped[list[Any]] = mapped_column(JSONType)
    # [{"enterprise_id", "inspector_ids"}] in draw order.
    result: Mapped[list[Any]] = mapped_column(JSONType)
    witnesses: Mapped[list[str]] = mapped_column(JSONType, default=list)
    status: Mapped[str] = mapped_column(String(16))
    published_at: Mapped[datetime | None] = mapped_column()
    created_by: Mapped[uuid.UUID | None] = mapped_column()
