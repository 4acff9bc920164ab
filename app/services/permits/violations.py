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
    # 第十三条 covers only spaces with H2S/CO poisoning risk (its opening words); the other
    # items apply by the enterprise's sector or to every enterprise.
    poisoning_scope: bool = True


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

# What the street office finds on site (OrderStopBody.findings), permits.md §9.
# 13.1 is conjunctive (并且): not identified / not in the ledger AND no warning signs. The
# ledger row's `signs_posted` says whether signs exist; with signs it is a general hazard.
SPACE_UNLISTED_NO_SIGNS = Violation(
    "space_unlisted_no_signs",
    "有限空间未辨识、未建立安全管理台账，并且未设置明显的安全警示标志",
    "13.1",
    "应急管理部令第13号 第六条、第十一条",
)
SPACE_UNLISTED = Violation(
    "space_unlisted",
    "有限空间未辨识、未建立安全管理台账（已设置安全警示标志）",
    None,
    "应急管理部令第13号 第六条",
)
FINDINGS: dict[str, Violation] = {
    "uncertified_worker": Violation(
        "uncertified_worker",
        "特种作业人员未取得相应资格上岗作业",
        "3.2",
        "第10号令 第三条第（二）项；特种作业人员安全技术培训考核管理规定",
        poisoning_scope=False,
    ),
    # 3.1 (承包单位未统一协调、管理或未定期检查) is [U] as a permit mapping: nothing on a
    # permit shows whether the enterprise coordinates or inspects its contractor, so the
    # finding is a general hazard on its 13号令 art. 8 basis, never item 3.1.
    "contractor_uncoordinated": Violation(
        "contractor_uncoordinated",
        "发包作业未统一协调、管理或未进行安全检查",
        None,
        "应急管理部令第13号 第八条",
    ),
    "silo_clearing_unprotected": Violation(
        "silo_clearing_unprotected",
        "筒型储库人工清库作业未落实防止高处坠落、坍塌等安全措施",
        "6.2",
        "第10号令 第六条第（二）项（建材）；其他行业：GB 30871-2022 第8章（参照）",
        poisoning_scope=False,
    ),
    "equipment_entry_unprotected": Violation(
        "equipment_entry_unprotected",
        "进入筒型储库、窑、磨机等设备内部前未采取隔离措施或未落实防坠落、坍塌措施",
        "6.4",
        "第10号令 第六条第（四）项（建材）；其他行业：GB 30871-2022 6.1、第8章（参照）",
        poisoning_scope=False,
    ),
}


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
    in_scope = not v.poisoning_scope or (space is not None and space.poisoning_risk)
    applies = (
        item is not None
        and in_scope
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


async def record_finding(
    session: AsyncSession, *, actor: Actor, permit: Permit, finding: str
) -> PermitViolation:
    """A finding on site becomes one hazard (source `enforcement`), its item where it applies."""
    if finding == "space_unlisted":
        space = (
            await session.get(ConfinedSpace, permit.confined_space_id)
            if permit.confined_space_id
            else None
        )
        signs = space is not None and space.signs_posted
        v = SPACE_UNLISTED if signs else SPACE_UNLISTED_NO_SIGNS
    else:
        v = FINDINGS[finding]
    return await record(
        session, actor=actor, permit=permit, violation=v, source=HazardSource.enforcement
    )
