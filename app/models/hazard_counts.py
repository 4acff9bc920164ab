"""The hazard rollup behind `GET /stats/overview` (issue 6): hazards counted per cell.

A cell is (enterprise, status, level, source, category); `n` is how many hazards sit in it.
Kept exact in the same transaction as every hazard write by a flush hook
(app/services/stats/rollup.py), so the overview reads a few hundred thousand narrow rows
instead of scanning and joining the whole ledger. Cells whose count fell to 0 are kept (a
concurrent writer may be about to increment them); readers ignore them.
"""

from __future__ import annotations

import uuid

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base
from app.models.hazard import Hazard


class HazardCount(Base):
    __tablename__ = "hazard_counts"

    enterprise_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("enterprises.id", ondelete="RESTRICT"), primary_key=True
    )
    status: Mapped[str] = mapped_column(String(32), primary_key=True)
    level: Mapped[str] = mapped_column(String(16), primary_key=True)
    source: Mapped[str] = mapped_column(String(32), primary_key=True)
    category: Mapped[str] = mapped_column(String(32), primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger, default=0)


# The overview's time-dependent figures are counted on the ledger, as index ranges (migration
# 0009; declared here rather than in hazard.py: they exist because of the rollup). "Closed
# this year" is a closed_at range; "overdue" a deadline range whose enterprise ids the index
# carries (PostgreSQL INCLUDE), an index-only scan: 84 ms against 344 ms through
# ix_hazards_status_deadline and the heap at 1,000,000 hazards.
Index("ix_hazards_status_closed", Hazard.status, Hazard.closed_at)
# (On SQLite, which has no INCLUDE, it is a plain copy of ix_hazards_status_deadline: kept so
# the schema is the same on both databases, harmless at the sizes SQLite serves.)
Index("ix_hazards_overdue", Hazard.status, Hazard.deadline, postgresql_include=["enterprise_id"])
