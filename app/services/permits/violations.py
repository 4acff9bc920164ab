"""Detected violations become hazards (permits.md §9) through the one hazard-creation path,
exactly one per (permit, rule), with the permit as evidence. Item 13.2 is cited only where it
applies: a confined space with H2S/CO/CO2 poisoning risk at an enterprise the item applies
to; otherwise a general hazard with its legal basis, never an invented item."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.enterprise import Enterprise
from app.models.hazard import HazardSource
from app.models.permit import ConfinedSpace, Permit
from app.models.permit_records import PermitViolation
from app.rules.levels import HazardLevel
from app.rules.permits.kinds import PermitType
from app.rules.standard import applies_because, find_item
from app.services import standards
from app.services.determination import Basis, Determination, determine
from app.services.hazards.create import NewHazard, create_hazard
from app.services.policy import Actor


@dataclass(frozen=True)
class Violation:
    code: str
    zh: str
    # 第10号令 item cited when it applies; the legal basis of the general hazard otherwise.
    item_code: str | None
    basis: str


ENTRY_NOT_APPROVED = Violation(
    "entry_not_approved",
    "未落实有限空间作业审批即进入有限空间",
    "13.2",
    "应急管理部令第13号 第七条",
)
ENTRY_NOT_TESTED = Violation(
    "entry_not_tested",
    "未执行“先通风、再检测、后作业”即进入有限空间（无合格检测或中断后未重新检测）",
    "13.2",
    "应急管理部令第13号 第十四条、第十五条",
)
ENTRY_NO_GUARDIAN = Violation(
    "entry_no_guardian",
    "作业现场未设置监护人员即进入有限空间",
    "13.2",
    "应急管理部令第13号 第十五条",
)
GUARDIAN_LEFT_ALONE = Violation(
    "guardian_left_alone",
    "监护人离开作业现场，有人员仍在有限空间内且现场无其他监护人",
    "13.2",
    "应急管理部令第13号 第十五条",
)
GUARDIAN_LEFT = Violation(
    "guardian_left",
    "监护人在作业期间离开作业现场（仍有其他监护人）",
    None,
    "应急管理部令第13号 第十五条；GB 30871-2022 4.10f",
)
ORDER_STOP = Violation(
    "order_stop", "街道责令暂停有限空间作业", "13.2", "应急管理部令第13号 第十八条"
)
# Hot work and height outside 建材 have no 第10号令 item (art. 2 hands fire to 消防).
ORDER_STOP_OTHER = Violation(
    "order_stop", "街道责令暂停作业", None, "消防法 第二十一条；GB 30871-2022（参照）"
)


async def _determination(
    session: AsyncSession, permit: Permit, enterprise: Enterprise, v: Violation
) -> Determination:
    standard = await standards.current(session)
    space = (
        await session.get(ConfinedSpace, permit.confined_space_id)
        if permit.confined_space_id
        else None
    )
    item = find_item(standard, v.item_code) if v.item_code else None
    applies = (
        item is not None
        and space is not None
        and space.poisoning_risk
        and applies_because(item.rule, sector=enterprise.sector, features=enterprise.features)
        is not None
    )
    if applies and v.item_code:
        return determine(
            actor=None, enterprise=enterprise, item_codes=[v.item_code], standard=standard
        )
    return Determination(HazardLevel.general, Basis(None, [], [], v.basis))


async def record(
    session: AsyncSession,
    *,
    actor: Actor | None,
    permit: Permit,
    violation: Violation,
    source: HazardSource = HazardSource.permit_check,
) -> PermitViolation:
    """The violation's hazard, created once; a repeat returns the first (the permit is locked)."""
    existing = await session.scalar(
        select(PermitViolation).where(
            PermitViolation.permit_id == permit.id, PermitViolation.code == violation.code
        )
    )
    if existing is not None:
        return existing
    enterprise = await session.get(Enterprise, permit.enterprise_id)
    assert enterprise is not None
    determination = await _determination(session, permit, enterprise, violation)
    hazard, _ = await create_hazard(
        session,
        actor=actor,
        enterprise=enterprise,
        data=NewHazard(
            description=f"作业票 {permit.permit_no}：{violation.zh}",
            category=PermitType(permit.type).value,
            source=source.value,
            determination=determination,
            location=permit.location,
            production_suspended=determination.level == HazardLevel.major
            and violation.code == "order_stop",
        ),
    )
    row = PermitViolation(
        permit_id=permit.id, code=violation.code, citation=violation.basis, hazard_id=hazard.id
    )
    session.add(row)
    await session.flush()
    return row
