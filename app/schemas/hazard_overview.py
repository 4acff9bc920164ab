"""The dashboard's view of a ledger row (issue 12 item 8): no personal fields.

Enough to build the overdue list and the supervised list — ledger number, enterprise, grid,
level, category, status, deadline, overdue, supervised — and nothing that names or reaches a
person (responsible person, finder, verifier, notes, free text, photos).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from app.models.hazard import HazardCategory, HazardSource, HazardStatus
from app.rules.levels import HazardLevel
from app.schemas.common import Schema


class HazardOverview(Schema):
    id: uuid.UUID
    ledger_no: str
    enterprise_id: uuid.UUID
    enterprise_name: str
    grid_id: uuid.UUID
    source: HazardSource
    category: HazardCategory
    level: HazardLevel
    status: HazardStatus
    deadline: date | None
    overdue: bool
    days_overdue: int
    supervised: bool
    supervise_due: date | None
    found_at: datetime
    closed_at: datetime | None
    version: int
