"""Enterprises (工贸企业) of the jurisdiction: the ledger every other record hangs on."""

from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, Date, Float, ForeignKey, Index, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, IdMixin, JSONType, TimestampMixin


class Designation(StrEnum):
    """The 主体责任 designations of plan §三(一)2 (用体系管安全): 1–2 典型示范企业 piloted by
    end-2024, 2–3 标杆企业 by end-2025. The standardization 标杆 of §三(四)8 is a different,
    yearly designation (`Enterprise.standardization_benchmark_year`)."""

    demonstration = "demonstration"  # 典型示范企业 (plan §三(一)2)
    benchmark = "benchmark"  # 标杆企业 (plan §三(一)2)


class Enterprise(IdMixin, TimestampMixin, Base):
    __tablename__ = "enterprises"
    __table_args__ = (
        Index("ix_enterprises_grid_name", "grid_id", "name", "id"),
        Index("ix_enterprises_name_id", "name", "id"),
    )

    name: Mapped[str] = mapped_column(String(200))
    uscc: Mapped[str | None] = mapped_column(String(18), unique=True)
    address: Mapped[str | None] = mapped_column(String(300))
    grid_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("grids.id", ondelete="RESTRICT"))
    tier: Mapped[str] = mapped_column(String(32), index=True)
    sector: Mapped[str] = mapped_column(String(32), index=True)
    features: Mapped[list[str]] = mapped_column(JSONType, default=list)
    employee_count: Mapped[int | None] = mapped_column(Integer)
    # GCJ-02 (the datum WeChat and Chinese map SDKs use).
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    principal_name: Mapped[str | None] = mapped_column(String(100))
    principal_phone: Mapped[str | None] = mapped_column(String(32))
    safety_manager_name: Mapped[str | None] = mapped_column(String(100))
    safety_manager_phone: Mapped[str | None] = mapped_column(String(32))
    # 安全生产标准化 (plan §三(四)8): grade 1–3, certificate date and expiry.
    standardization_grade: Mapped[int | None] = mapped_column(Integer)
    standardization_certified_on: Mapped[date | None] = mapped_column(Date)
    standardization_expires_on: Mapped[date | None] = mapped_column(Date)
    designation: Mapped[str | None] = mapped_column(String(32))
    designation_year: Mapped[int | None] = mapped_column(Integer)
    # 安全生产标准化标杆企业 (plan §三(四)8: 每年打造1–2家): the year it was chosen.
    standardization_benchmark_year: Mapped[int | None] = mapped_column(Integer)
    # The plan only guides eligible enterprises to a grade (§三(四)8 引导符合条件的企业); a
    # missing grade is a breach only where the street office marks the grade as required.
    standardization_required: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    # 厂中厂: the landlord enterprise a tenant sits in (regulations.md §2.5).
    landlord_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("enterprises.id", ondelete="SET NULL")
    )
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__: dict[str, Any] = {"version_id_col": version}
