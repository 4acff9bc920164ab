"""The year's 整治重点任务 (plan §三(三)5: 每年明确整治重点任务)."""

from __future__ import annotations

import uuid
from enum import StrEnum

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, IdMixin, JSONType, TimestampMixin


class FocusKind(StrEnum):
    """What a task focuses on; its `focus_values` are codes of that kind."""

    hazard_category = "hazard_category"  # 有限空间作业、高处作业、动火作业… (hazard categories)
    checklist_item = "checklist_item"  # 判定标准条款编号
    sector = "sector"
    feature = "feature"


FOCUS_KIND_LABELS = {
    FocusKind.hazard_category: "隐患类别（高风险作业）",
    FocusKind.checklist_item: "判定标准条款",
    FocusKind.sector: "行业",
    FocusKind.feature: "风险特征",
}


class PriorityTask(IdMixin, TimestampMixin, Base):
    __tablename__ = "priority_tasks"
    __table_args__ = (Index("ix_priority_tasks_year", "year", "id"),)

    year: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    focus_kind: Mapped[str] = mapped_column(String(32))
    focus_values: Mapped[list[str]] = mapped_column(JSONType, default=list)
    # The target: enterprises in focus to be inspected this year (a count), and a note.
    target_inspected: Mapped[int | None] = mapped_column(Integer)
    target_note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[uuid.UUID | None] = mapped_column()
