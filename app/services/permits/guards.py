"""The guards that make 第10号令 第十三条(二) impossible to break silently: each refuses a step
with a 409 naming the rule and its citation (permits.md §7)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.permit import Permit
from app.models.permit_records import EntryLog, GasTest, PermitPerson, VentilationRecord
from app.models.records import Certificate
from app.rules.calendar import today_in_shanghai
from app.rules.certificates import CertificateCategory
from app.rules.permits.kinds import PermitType
from app.rules.permits.settings import PermitRules
from app.services.permits.errors import refuse

TESTED = (PermitType.hot_work, PermitType.confined_space)
DEVICE_SKEW = timedelta(minutes=2)
ART14 = "应急管理部令第13号 第十四条；第10号令 第十三条第（二）项"


def within_validity(permit: Permit, now: datetime) -> None:
    if not permit.valid_from <= now <= permit.valid_to:
        raise refuse(
            "outside_validity",
            "当前时间不在作业票有效期内；超过有效期须重新办理作业票",
            "Now is outside the permit's validity; a new permit is needed",
            "GB 30871-2022 4.16, 5.1.5, 6.10, 8.2.11",
        )


async def guardians_present(session: AsyncSession, permit: Permit, rules: PermitRules) -> None:
    n = await session.scalar(
        select(func.count()).where(
            PermitPerson.permit_id == permit.id,
            PermitPerson.role == "guardian",
            PermitPerson.checked_in_at.is_not(None),
            PermitPerson.checked_out_at.is_(None),
        )
    )
    if (n or 0) < rules.min_guardians:
        raise refuse(
            "guardian_missing",
            "作业现场未设置监护人员：开始或恢复作业前须有监护人签到",
            "No guardian checked in on site",
            "应急管理部令第13号 第五条、第十五条；第10号令 第十三条第（二）项；GB 30871-2022 4.10",
        )


async def last_test(session: AsyncSession, permit: Permit) -> GasTest | None:
    return await session.scalar(
        select(GasTest)
        .where(GasTest.permit_id == permit.id)
        .order_by(GasTest.sampled_at.desc(), GasTest.received_at.desc())
        .limit(1)
    )


async def fresh_passing_test(
    session: AsyncSession, permit: Permit, rules: PermitRules, now: datetime, after: datetime | None
) -> GasTest:
    """The latest test passed, was sampled ≤ 30 min ago (GB 5.3.1c, 6.3a) and, when resuming,
    after the interruption began (13号令 art. 15)."""
    test = await last_test(session, permit)
    # A phone's clock may run a little ahead of ours [D: 2 min]; further ahead is not a test.
    ahead = test is not None and test.sampled_at > now + DEVICE_SKEW
    if test is None or now - test.sampled_at > rules.pretest_max_age or ahead:
        raise refuse(
            "gas_test_stale",
            "作业前 30 分钟内没有气体检测记录：须先检测合格再作业",
            "No gas test in the last 30 minutes",
            "GB 30871-2022 5.3.1c / 6.3a；" + ART14,
        )
    if not test.passed:
        raise refuse(
            "gas_test_failed",
            "最近一次气体检测不合格，不得作业",
            "The latest gas test failed",
            "GB 30871-2022 5.3.2 / 6.4；" + ART14,
        )
    if after is not None and test.sampled_at <= after:
        raise refuse(
            "retest_required",
            "作业中断后须重新通风、重新检测合格后方可恢复",
            "After an interruption, re-ventilate and re-test before resuming",
            "应急管理部令第13号 第十五条；GB 30871-2022 5.3.1d",
        )
    return test


async def ventilated_before(
    session: AsyncSession, permit: Permit, test: GasTest, since: datetime | None
) -> None:
    """先通风、再检测、后作业: ventilation began before the passing test (and, on resuming,
    after the interruption began)."""
    stmt = select(func.count()).where(
        VentilationRecord.permit_id == permit.id, VentilationRecord.started_at <= test.sampled_at
    )
    if since is not None:
        stmt = stmt.where(
            (VentilationRecord.ended_at.is_(None)) | (VentilationRecord.ended_at >= since)
        )
    if not await session.scalar(stmt):
        raise refuse(
            "ventilation_missing",
            "未执行“先通风、再检测、后作业”：检测前没有通风记录",
            "No ventilation record before the gas test",
            ART14,
        )


# 30号令 特种作业目录: which certificate each permit role needs [U for sub-types].
CERTIFIED_ROLE = {
    PermitType.hot_work: ("hot_work_operator", CertificateCategory.WELDING_CUTTING),
    PermitType.work_at_height: ("worker", CertificateCategory.WORK_AT_HEIGHT),
}


async def certificates_valid(session: AsyncSession, permit: Permit, today: date) -> None:
    need = CERTIFIED_ROLE.get(PermitType(permit.type))
    if need is None:
        return
    role, category = need
    rows = await session.execute(
        select(PermitPerson.name, Certificate.category, Certificate.expires_on)
        .outerjoin(Certificate, Certificate.id == PermitPerson.certificate_id)
        .where(PermitPerson.permit_id == permit.id, PermitPerson.role == role)
    )
    bad = [
        name for name, cat, expires in rows if cat != category or expires is None or expires < today
    ]
    if bad:
        raise refuse(
            "certificate_invalid",
            f"以下人员无有效特种作业操作证：{'、'.join(bad)}",
            f"No valid special-operations certificate: {', '.join(bad)}",
            "第10号令 第三条第（二）项；消防法 第二十一条；特种作业人员安全技术培训考核管理规定",
        )


async def entries_balanced(session: AsyncSession, permit: Permit) -> None:
    """GB 30871-2022 6.8c: everyone and every tool that went in came out."""
    rows = await session.execute(
        select(EntryLog.person, EntryLog.direction, func.count(), func.sum(EntryLog.tools))
        .where(EntryLog.permit_id == permit.id)
        .group_by(EntryLog.person, EntryLog.direction)
    )
    balance: dict[str, list[int]] = {}
    for person, direction, n, tools in rows:
        sign = 1 if direction == "in" else -1
        acc = balance.setdefault(person, [0, 0])
        acc[0] += sign * n
        acc[1] += sign * int(tools or 0)
    inside = [p for p, (n, t) in balance.items() if n != 0 or t != 0]
    if inside:
        raise refuse(
            "entries_unbalanced",
            f"人员或工具未全部撤出：{'、'.join(sorted(inside))}",
            f"People or tools not all out: {', '.join(sorted(inside))}",
            "GB 30871-2022 6.8c",
        )


def now_utc() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    return today_in_shanghai()
