"""Enterprises described by their records, stored straight in the database, for the tests of
the ranking's SQL copy of the compliance checks (issue 11).

`Ent()` is a *clean* enterprise for 2025: every check met on 2025-12-31 (drills in both
half-years, a principal check with a quiz in every quarter — every month for metal smelting —,
its principal head trained in the plan period, the hazard standard trained in 2025, nothing
else). A case changes one thing and says which checks that leaves unmet.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.models.accident import Accident, Interview
from app.models.enterprise import Enterprise
from app.models.records import Certificate, Drill, Training
from app.rules.compliance import evaluation_date
from app.services.compliance import gather
from app.services.compliance.checks import evaluate
from app.services.compliance.unmet import unmet_checks
from tests.api.records_helpers import add_hazard, add_principal_check
from tests.conftest import World, add_enterprise

QUARTERLY = [f"2025-{m:02d}-10T10:00:00+08:00" for m in (2, 5, 8, 11)]
MONTHLY = [f"2025-{m:02d}-15T10:00:00+08:00" for m in range(1, 13)]


@dataclass
class Ent:
    features: list[str] = field(default_factory=list)
    principal: str | None = "张三"
    drills: list[str] = field(default_factory=lambda: ["2025-03-01", "2025-09-01"])
    drill_kind: str = "evacuation"
    # (started_at, with a quiz record)
    checks: list[tuple[str, bool]] | None = None
    # (person_name, person_role, topic, completed_on, passed)
    trainings: list[tuple[str, str, str, str, bool | None]] = field(
        default_factory=lambda: [
            ("张三", "principal", "principal_special", "2024-06-01", True),
            ("李四", "employee", "hazard_standard", "2025-02-01", None),
        ]
    )
    # (issued_on, expires_on, next_review_on)
    certificates: list[tuple[str, str, str]] = field(default_factory=list)
    # add_hazard keyword arguments
    hazards: list[dict[str, Any]] = field(default_factory=list)
    # (occurred_at, grade, major_risk_event, interview: None | "held" | "reported")
    accidents: list[tuple[str, str, bool, str | None]] = field(default_factory=list)
    standardization: dict[str, Any] = field(default_factory=dict)
    name: str | None = None


def _checks(ent: Ent) -> list[tuple[str, bool]]:
    if ent.checks is not None:
        return ent.checks
    monthly = "metal_smelting" in ent.features
    return [(t, True) for t in (MONTHLY if monthly else QUARTERLY)]


async def _accident(
    db: AsyncSession, eid: uuid.UUID, spec: tuple[str, str, bool, str | None]
) -> None:
    occurred, grade, risk, interview = spec
    acc = Accident(
        id=uuid.uuid4(),
        enterprise_id=eid,
        occurred_at=datetime.fromisoformat(occurred),
        description="事故",
        deaths=0,
        serious_injuries=0,
        direct_loss_yuan=Decimal("0"),
        grade=grade,
        major_risk_event=risk,
    )
    db.add(acc)
    await db.flush()
    if interview:
        db.add(
            Interview(
                id=uuid.uuid4(),
                enterprise_id=eid,
                person_name="王五",
                reason="约谈",
                accident_id=acc.id,
                held_on=date(2025, 12, 1),
                reported_to_district=interview == "reported",
            )
        )


async def store(db: AsyncSession, world: World, key: str, ent: Ent, grid: str = "G1") -> None:
    eid = await add_enterprise(
        db, world, key, grid, features=ent.features, principal_name=ent.principal,
        **ent.standardization,
    )  # fmt: skip
    if ent.name is not None:
        (await db.get(Enterprise, eid)).name = ent.name  # type: ignore[union-attr]
    for held in ent.drills:
        db.add(
            Drill(id=uuid.uuid4(), enterprise_id=eid, held_on=date.fromisoformat(held),
                  kind=ent.drill_kind, scenario="疏散", participants=5)
        )  # fmt: skip
    for person, role, topic, done, passed in ent.trainings:
        db.add(
            Training(id=uuid.uuid4(), enterprise_id=eid, person_name=person, person_role=role,
                     topic=topic, hours=2.0, completed_on=date.fromisoformat(done), passed=passed)
        )  # fmt: skip
    for i, (issued, expires, review) in enumerate(ent.certificates):
        db.add(
            Certificate(id=uuid.uuid4(), enterprise_id=eid, holder_name="赵六",
                        category="electrical", certificate_no=f"C-{key}-{i}",
                        issued_on=date.fromisoformat(issued),
                        expires_on=date.fromisoformat(expires),
                        next_review_on=date.fromisoformat(review))
        )  # fmt: skip
    for spec in ent.accidents:
        await _accident(db, eid, spec)
    await db.commit()
    for started, quiz in _checks(ent):
        await add_principal_check(db, world, key, started, quiz=quiz)
    for hazard in ent.hazards:
        await add_hazard(db, world, key, **hazard)


async def sql_terms(
    db: AsyncSession, *, year: int, on: date, live: bool, settings: Settings, ents: Any = None
) -> dict[uuid.UUID, dict[str, Any]]:
    """Per enterprise: each check's SQL term, the SQL count and the SQL overdue count."""
    sql = unmet_checks(db, ents=ents, year=year, on=on, live=live, settings=settings)
    cols = [t.label(code) for code, t in sql.terms.items()]
    stmt = select(
        Enterprise.id, sql.unmet.label("n"), sql.overdue.label("over"), *cols
    ).select_from(sql.source)
    out = {}
    for row in (await db.execute(stmt)).mappings():
        unmet = {code for code in sql.terms if row[code]}
        out[row["id"]] = {"unmet": unmet, "n": row["n"], "overdue": row["over"]}
    return out


async def python_unmet(
    db: AsyncSession, *, year: int, on: date, live: bool, settings: Settings
) -> dict[uuid.UUID, dict[str, Any]]:
    """Per enterprise: the codes Python `evaluate` leaves unmet, and the facts' overdue count."""
    ents = (await db.execute(select(Enterprise))).scalars().all()
    facts = await gather(
        db, enterprise_ids=[e.id for e in ents], year=year, on=on, live=live,
        warning_days=settings.certificate_warning_days,
    )  # fmt: skip
    out = {}
    for e in ents:
        checks = evaluate(e, facts[e.id], year=year, on=on, settings=settings)
        out[e.id] = {
            "unmet": [c.code for c in checks if not c.met],
            "overdue": facts[e.id].overdue,
        }
    return out


def closed_year(year: int) -> tuple[date, bool]:
    return evaluation_date(year, date(year + 1, 6, 1))
