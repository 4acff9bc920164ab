"""The SQL form of the overdue rule at its boundaries, on the database under test: deadline
yesterday, today, tomorrow and none, for each status; expected values written out."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from sqlalchemy import not_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.hazard import Hazard
from app.services.compliance.facts import hazard_clauses
from app.services.hazards.overdue import overdue_clause
from app.services.stats.common import is_overdue as stats_is_overdue
from tests.conftest import World

TODAY = date(2026, 3, 31)
STATUSES = ["reported", "rectifying", "pending_verification", "closed", "voided"]
OFFSETS: list[int | None] = [-1, 0, 1, None]
OVERDUE = {("reported", -1), ("rectifying", -1)}


async def test_overdue_clause_boundaries(db: AsyncSession, world: World) -> None:
    keys: dict[uuid.UUID, tuple[str, int | None]] = {}
    for status in STATUSES:
        for offset in OFFSETS:
            h = Hazard(
                id=uuid.uuid4(),
                ledger_no=f"B-{uuid.uuid4().hex[:20]}",
                enterprise_id=world.enterprises["E1"],
                source="self_check",
                description="边界",
                category="other",
                level="general",
                status=status,
                deadline=None if offset is None else TODAY + timedelta(days=offset),
                basis={},
            )
            db.add(h)
            keys[h.id] = (status, offset)
    try:
        await db.flush()
        for clause in (
            overdue_clause(TODAY),
            stats_is_overdue(TODAY),
            hazard_clauses(TODAY, True)[1],
        ):
            rows = set((await db.scalars(select(Hazard.id).where(clause))).all())
            assert {keys[i] for i in rows} == OVERDUE
        # The list's overdue=false: every other row, those without a deadline included.
        rows = set((await db.scalars(select(Hazard.id).where(not_(overdue_clause(TODAY))))).all())
        assert len(rows) == 18
        assert {keys[i] for i in rows} == set(keys.values()) - OVERDUE
    finally:
        await db.rollback()
