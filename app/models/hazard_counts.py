"""The hazard rollups behind `GET /stats/overview` (issue 6, reshaped in issue 11).

Issue 11: the first rollup counted hazards per (enterprise, status, level, source, category),
~830,000 cells at 1,000,000 hazards, so the overview still read nearly a ledger's worth. The
dashboards read by grid and sector, so the cells are now at that grain (a grid staff member's
scope is whole grids; an enterprise head's overview reads the ledger of one enterprise):

- `hazard_tallies`      (grid, sector, status, level): every hazard;
- `hazard_facets`       (grid, facet, value): every hazard once per facet (source, category);
- `hazard_deadlines`    (grid, sector, status, level, deadline): hazards in the overdue states
  (compliance.facts.OVERDUE_STATES) with a deadline — "overdue today" is a range over days;
- `hazard_deadline_months` the same per month of the deadline, so "overdue today" reads the
  past months whole and only the current month by day;
- `hazard_closings`     (grid, closed_on): closed hazards per Shanghai day of closing;
- `hazard_close_spans`  (grid, level, span_days): closed hazards per whole days found→closed,
  which locates the median's bucket before an index walk inside it.

All are kept exact in the same transaction as every hazard or enterprise write by the flush
hooks of app/services/hazard_counts.py. Cells whose count fell to 0 are kept (a concurrent
writer may be about to increment them); readers ignore them.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base
from app.models.enterprise import Enterprise
from app.models.hazard import Hazard
from app.models.inspection import Inspection


def _grid() -> Mapped[uuid.UUID]:
    return mapped_column(ForeignKey("grids.id", ondelete="RESTRICT"), primary_key=True)


class HazardTally(Base):
    __tablename__ = "hazard_tallies"

    grid_id: Mapped[uuid.UUID] = _grid()
    sector: Mapped[str] = mapped_column(String(32), primary_key=True)
    status: Mapped[str] = mapped_column(String(32), primary_key=True)
    level: Mapped[str] = mapped_column(String(16), primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger, default=0)


class HazardFacet(Base):
    __tablename__ = "hazard_facets"

    grid_id: Mapped[uuid.UUID] = _grid()
    facet: Mapped[str] = mapped_column(String(16), primary_key=True)  # source | category
    value: Mapped[str] = mapped_column(String(32), primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger, default=0)


class HazardDeadline(Base):
    __tablename__ = "hazard_deadlines"

    grid_id: Mapped[uuid.UUID] = _grid()
    sector: Mapped[str] = mapped_column(String(32), primary_key=True)
    status: Mapped[str] = mapped_column(String(32), primary_key=True)
    level: Mapped[str] = mapped_column(String(16), primary_key=True)
    deadline: Mapped[date] = mapped_column(Date, primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger, default=0)


class HazardDeadlineMonth(Base):
    """`hazard_deadlines` summed per month (`deadline` = the month's first day): the whole
    months before the current one are read here, only the current month by day."""

    __tablename__ = "hazard_deadline_months"

    grid_id: Mapped[uuid.UUID] = _grid()
    sector: Mapped[str] = mapped_column(String(32), primary_key=True)
    status: Mapped[str] = mapped_column(String(32), primary_key=True)
    level: Mapped[str] = mapped_column(String(16), primary_key=True)
    deadline: Mapped[date] = mapped_column(Date, primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger, default=0)


class HazardClosing(Base):
    __tablename__ = "hazard_closings"

    grid_id: Mapped[uuid.UUID] = _grid()
    closed_on: Mapped[date] = mapped_column(Date, primary_key=True)  # Shanghai calendar
    n: Mapped[int] = mapped_column(BigInteger, default=0)


class HazardCloseSpan(Base):
    __tablename__ = "hazard_close_spans"

    grid_id: Mapped[uuid.UUID] = _grid()
    level: Mapped[str] = mapped_column(String(16), primary_key=True)
    span_days: Mapped[int] = mapped_column(Integer, primary_key=True)  # floor(closed - found)
    n: Mapped[int] = mapped_column(BigInteger, default=0)


# Ledger indexes of migration 0009, still read by the hazard list, the enterprise head's
# overview and /stats/targets (declared here rather than in hazard.py as before).
Index("ix_hazards_status_closed", Hazard.status, Hazard.closed_at)
# (On SQLite, which has no INCLUDE, it is a plain copy of ix_hazards_status_deadline.)
Index("ix_hazards_overdue", Hazard.status, Hazard.deadline, postgresql_include=["enterprise_id"])
# Migration 0018 (issue 11): the overview's enterprises per (grid, sector) as an index-only
# pass; /stats/targets' major hazards (open, overdue, the 一票否决 list) and principal checks
# of the year as index ranges.
Index("ix_enterprises_grid_sector", Enterprise.grid_id, Enterprise.sector)
Index("ix_hazard_deadlines_deadline", HazardDeadline.deadline)
Index(
    "ix_hazards_level_status",
    Hazard.level,
    Hazard.status,
    Hazard.deadline,
    postgresql_include=["enterprise_id"],
)
Index(
    "ix_inspections_kind_started",
    Inspection.kind,
    Inspection.started_at,
    postgresql_include=["enterprise_id"],
)
