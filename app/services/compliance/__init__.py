"""Per-enterprise compliance with the plan's rules (brief §7), and its batch form for rankings."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.rules.calendar import today_in_shanghai
from app.rules.compliance import evaluation_date
from app.services import meta
from app.services.compliance.checks import CHECK_LABELS, Check, evaluate
from app.services.compliance.facts import Facts, gather
from app.services.enterprises import visible_enterprise
from app.services.policy import Actor, Permission, require_permission

meta.register("compliance_check", CHECK_LABELS)

__all__ = ["Check", "Compliance", "Facts", "evaluation_date", "gather", "get_compliance"]


@dataclass(frozen=True)
class Compliance:
    enterprise_id: uuid.UUID
    year: int
    evaluated_on: date
    checks: list[Check]


async def get_compliance(
    session: AsyncSession,
    *,
    actor: Actor,
    enterprise_id: uuid.UUID,
    year: int | None,
    settings: Settings,
) -> Compliance:
    require_permission(actor, Permission.RECORD_READ)
    ent = await visible_enterprise(session, actor=actor, enterprise_id=enterprise_id)
    today = today_in_shanghai()
    year = year or today.year
    on, live = evaluation_date(year, today)
    facts = await gather(
        session,
        enterprise_ids=[ent.id],
        year=year,
        on=on,
        live=live,
        warning_days=settings.certificate_warning_days,
    )
    checks = evaluate(ent, facts[ent.id], year=year, on=on, settings=settings)
    return Compliance(enterprise_id=ent.id, year=year, evaluated_on=on, checks=checks)
