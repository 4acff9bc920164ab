"""Principal checks per enterprise and Shanghai month, behind `GET /stats/targets` (issue 11).

方案 三(三)4 counts principal-led checks per (enterprise, quarter or month); the target read
the year's checks from the inspections table and computed each one's Shanghai month. The
rollup keeps that grain (enterprise, Shanghai year, Shanghai month → checks), so the target
reads small integers and groups them into its periods at read time: the period length (a
setting) and the metal-smelting group (an enterprise feature that may change) are not baked
into the cells. Kept exact in the same transaction as every inspection write by the flush
hooks of app/services/inspection_counts.py; a cell whose count fell to 0 is kept.
"""

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class PrincipalCheckMonth(Base):
    __tablename__ = "principal_check_months"

    # Key order: the target reads one year, optionally a scope of enterprises.
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("enterprises.id", ondelete="RESTRICT"), primary_key=True
    )
    month: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)
