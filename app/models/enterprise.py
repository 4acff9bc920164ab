"""Enterprises (工贸企业) of the jurisdiction: the ledger every other record hangs on."""

from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, Date, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, IdMixin, JSONType, TimestampMixin


class Designation(StrEnum):
    demonstration = "demonstration"  # 典型示范企业 (plan §三(一)2)
    benchmark = "benchmark"  # 标杆企业 (plan §三(四)8)


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
    # 厂中厂: the landlord enterprise a tenant sits in (regulations.md §2.5).
    landlord_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("enterprises.id", ondelete="SET NULL")
    )
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__: dict[str, Any] = {"version_id_col": version}
