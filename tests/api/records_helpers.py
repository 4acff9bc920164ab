"""Arranging inspections and hazards straight in the database for compliance/statistics tests
(their own APIs are tested with their domains; here only the stored facts matter)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.models.hazard import Hazard
from app.models.inspection import Inspection, InspectionQuiz
from tests.conftest import World


async def add_principal_check(
    db: AsyncSession, world: World, ent: str, started_at: str, *, quiz: bool = True
) -> uuid.UUID:
    insp = Inspection(
        id=uuid.uuid4(),
        enterprise_id=world.enterprises[ent],
        kind="principal_check",
        started_at=datetime.fromisoformat(started_at),
        filed_by=world.users["office"],
        filed_by_role="street_office",
        standard_version="2023",
        applicable_count=0,
        answered_count=0,
        quiz_total=1 if quiz else 0,
        quiz_passed=1 if quiz else 0,
        body_hash="0" * 64,
    )
    db.add(insp)
    await db.flush()
    if quiz:
        db.add(
            InspectionQuiz(
                inspection_id=insp.id, position=0, person="员工甲", question="第三条？", passed=True
            )
        )
    await db.commit()
    return insp.id


_SEQ = [0]


async def add_hazard(
    db: AsyncSession,
    world: World,
    ent: str,
    *,
    level: str = "major",
    status: str = "rectifying",
    deadline: date | None = None,
    found_at: str = "2025-05-01T10:00:00+08:00",
    closed_at: str | None = None,
    voided_at: str | None = None,
    source: str = "self_check",
    category: str = "equipment",
) -> uuid.UUID:
    _SEQ[0] += 1
    hazard = Hazard(
        id=uuid.uuid4(),
        ledger_no=f"T-{uuid.uuid4().hex[:12]}-{_SEQ[0]}",
        enterprise_id=world.enterprises[ent],
        source=source,
        description="测试隐患",
        category=category,
        level=level,
        status=status,
        deadline=deadline,
        found_at=datetime.fromisoformat(found_at),
        closed_at=datetime.fromisoformat(closed_at) if closed_at else None,
        voided_at=datetime.fromisoformat(voided_at) if voided_at else None,
        basis={},
    )
    db.add(hazard)
    await db.commit()
    return hazard.id
