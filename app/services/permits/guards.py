"""The guards that make 第10号令 第十三条(二) impossible to break silently: each refuses a step
with a 409 naming the rule and its citation (permits.md §7)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.permit import Permit
from app.models.permit_records import EntryLog, GasTest, PermitPerson, VentilationRecord
from app.models.records import Certificate
from app.rules.calendar import today_in_shanghai
from app.rules.certificates import CertificateCategory
from app.rules.permits.hotwork import FIRE_WATCH, watch_role
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


async def watchers_on_site(session: AsyncSession, permit: Permit, role: str) -> int:
    n = await session.scalar(
        select(func.count()).where(
            PermitPerson.permit_id == permit.id,
            PermitPerson.role == role,
            PermitPerson.checked_in_at.is_not(None),
            PermitPerson.checked_out_at.is_(None),
        )
    )
    return int(n or 0)


async def guardians_present(session: AsyncSession, permit: Permit, rules: PermitRules) -> None:
    """The permit's watch checked in: the 监火人 for hot work, the 监护人 otherwise."""
    role = watch_role(permit.type)
    n = await watchers_on_site(session, permit, role)
    if role == FIRE_WATCH and n < rules.min_fire_watches:
        raise refuse(
            "fire_watch_missing",
            "动火作业未设专人监火：开始或恢复作业前须有监火人签到",
            "No fire watch checked in on site",
            "GB 30871-2022 5.2.1；消防法 第二十一条",
        )
    if role != FIRE_WATCH and n < rules.min_guardians:
        raise refuse(
            "guardian_missing",
            "作业现场未设置监护人员：开始或恢复作业前须有监护人签到",
            "No guardian checked in on site",
            "应急管理部令第13号 第五条、第十五条；第10号令 第十三条第（二）项；GB 30871-2022 4.10",
        )


async def related_active(session: AsyncSession, permit: Permit) -> None:
    """GB 30871-2022 4.6: each operation has its own permit; hot work inside a confined space
    runs only while that space's permit is active."""
    if permit.related_permit_id is None:
        return
    related = await session.get(Permit, permit.related_permit_id)
    if related is None or related.status != "active":
        raise refuse(
            "related_permit_inactive",
            "关联作业票（如有限空间作业票）未处于作业中，不得开始或恢复本作业",
            "The related permit is not active",
            "GB 30871-2022 4.6",
        )


def video_recorded(permit: Permit, video_ref: str | None) -> None:
    """特级动火 is filmed throughout (GB 30871-2022 5.2.11): the reference before start."""
    permit.video_ref = video_ref or permit.video_ref
    if permit.type == PermitType.hot_work and permit.grade == "special" and not permit.video_ref:
        raise refuse(
            "video_missing",
            "特级动火作业须全程视频监控：开始前登记视频监控记录编号",
            "Special hot work is filmed: record the video reference before start",
            "GB 30871-2022 5.2.11",
        )


async def residual_checked(
    session: AsyncSession, permit: Permit, person_id: uuid.UUID | None
) -> None:
    """清理现场、确认无残留火种 (GB 30871-2022 5.2.14) by a fire watch of this permit."""
    person = await session.get(PermitPerson, person_id) if person_id else None
    if person is None or person.permit_id != permit.id or person.role != FIRE_WATCH:
        raise refuse(
            "residual_fire_unchecked",
            "动火作业完工前须由本作业票的监火人清理现场、确认无残留火种",
            "A fire watch of this permit must confirm no residual fire before completion",
            "GB 30871-2022 5.2.14",
        )
    permit.residual_checked_at, permit.residual_checked_by = now_utc(), person.id


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
    """Each certified role holds a valid certificate of the right category in their own name
    (第10号令 3.2); hot work names at least one 动火人 (GB 30871-2022 表A.1: 动火人及证书编号)."""
    need = CERTIFIED_ROLE.get(PermitType(permit.type))
    if need is None:
        return
    role, category = need
    rows = list(
        await session.execute(
            select(
                PermitPerson.name,
                Certificate.holder_name,
                Certificate.category,
                Certificate.expires_on,
            )
            .outerjoin(Certificate, Certificate.id == PermitPerson.certificate_id)
            .where(PermitPerson.permit_id == permit.id, PermitPerson.role == role)
        )
    )
    bad = [
        name
        for name, holder, cat, expires in rows
        if cat != category or holder != name or expires is None or expires < today
    ]
    if permit.type == PermitType.hot_work and not rows:
        bad = ["（未登记动火人）"]
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
