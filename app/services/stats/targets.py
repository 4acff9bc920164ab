"""GET /stats/targets: the plan's targets for a year, each with its citation and progress.

Every figure is one aggregate query over the caller's scope. Standardization counts are
reconstructed from the grade's certification and expiry dates (only the current grade is
kept on the enterprise), so an earlier grade replaced by a newer one is not seen.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from sqlalchemy import and_, case, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import True_

from app.core.config import Settings
from app.models.enterprise import Designation, Enterprise
from app.models.hazard import Hazard
from app.models.inspection import Inspection, InspectionKind
from app.models.records import Drill, DrillKind
from app.models.user import Role
from app.rules.calendar import periods, today_in_shanghai, utc_bounds
from app.rules.enterprise_kinds import Feature
from app.services.compliance import evaluation_date
from app.services.compliance.facts import PLAN_END, hazard_clauses
from app.services.enterprises import has_feature
from app.services.policy import Actor, stats_enterprise_scope
from app.services.stats.common import authorize, scoped_enterprises, shanghai_month_number
from app.services.stats.targets_plan import (
    accident_followups,
    five_lead,
    principal_training,
    priority_task_targets,
)


def target(code: str, title: str, citation: str, **kw: Any) -> dict[str, Any]:
    return {"code": code, "title": title, "citation": citation, **kw}


async def _count(session: AsyncSession, stmt: Any) -> int:
    return int(await session.scalar(stmt) or 0)


def _graded_on(d: date) -> Any:
    return and_(
        Enterprise.standardization_grade.is_not(None),
        or_(
            Enterprise.standardization_certified_on.is_(None),
            Enterprise.standardization_certified_on <= d,
        ),
        or_(
            Enterprise.standardization_expires_on.is_(None),
            Enterprise.standardization_expires_on >= d,
        ),
    )


def _no_open_major(on: date, live: bool) -> Any:
    """No open major hazard on the evaluation date: 方案 三(四)8 一票否决.

    NOT IN a hashed list of the few enterprises with one (hazards.enterprise_id is NOT NULL,
    so NOT IN means NOT EXISTS), read through ix_hazards_level_status: the correlated NOT
    EXISTS was estimated at millions, which switched on PostgreSQL's JIT (0.8 s to compile a
    count of 20,000 enterprises, bench/README.md "Issue 11")."""
    is_open, _ = hazard_clauses(on, live)
    with_major = select(Hazard.enterprise_id).where(Hazard.level == "major", is_open)
    return Enterprise.id.not_in(with_major)


def within(ents: Any, column: Any) -> Any:
    """`column IN ents`; nothing when `ents` is None (the whole jurisdiction: every row's
    enterprise is in it), sparing each statement a semi-join over every enterprise."""
    return true() if ents is None else column.in_(ents)


async def _standardization(
    session: AsyncSession, ents: Any, year: int, on: date, live: bool
) -> list[dict[str, Any]]:
    base = select(func.count()).select_from(Enterprise).where(within(ents, Enterprise.id))
    # 方案 三(四)8 一票否决: a graded enterprise with an open major hazard does not count.
    now = await _count(session, base.where(_graded_on(on), _no_open_major(on, live)))
    before = await _count(session, base.where(_graded_on(date(year - 1, 12, 31))))
    # 方案 三(四)8: +5 % a year; from none, growth means at least one.
    goal = math.ceil(before * 1.05) if before else 1
    vetoed = await _count(session, base.where(_graded_on(on), ~_no_open_major(on, live)))
    veto = f"；{vetoed}家因存在未销号重大事故隐患不计入（一票否决）" if vetoed else ""
    return [
        target(
            "standardization_growth",
            "取得安全生产标准化等级企业数",
            "实施方案 三(四)8：取得安全生产标准化等级企业数量，3年间每年按照5%增长；"
            "实施重大事故隐患“一票否决”",
            target_value=goal,
            actual=now,
            baseline=before,
            unit="家",
            met=now >= goal,
            due=date(year, 12, 31),
            detail=f"{year - 1}年底{before}家，目标{goal}家（+5%），"
            f"截至{on.isoformat()}为{now}家{veto}",
        ),
        *await _designations(session, base, year),
    ]


async def _designations(session: AsyncSession, base: Any, year: int) -> list[dict[str, Any]]:
    """三(一)2 典型示范 (end-2024) and 标杆 (end-2025), cumulative; 三(四)8 标准化标杆, yearly."""
    by_kind = base.where(Enterprise.designation_year <= year)
    demo = await _count(
        session, by_kind.where(Enterprise.designation == Designation.demonstration.value)
    )
    bench = await _count(
        session, by_kind.where(Enterprise.designation == Designation.benchmark.value)
    )
    std = await _count(session, base.where(Enterprise.standardization_benchmark_year == year))
    return _designation_targets(year, demo, bench, std)


def _designation_targets(year: int, demo: int, bench: int, std: int) -> list[dict[str, Any]]:
    return [
        target(
            "demonstration_enterprises",
            "典型示范企业（用体系管安全）",
            "实施方案 三(一)2：2024年底前，在辖区内试点培树1–2家典型示范企业",
            target_value=1,
            actual=demo,
            unit="家",
            met=demo >= 1,
            due=date(2024, 12, 31),
            detail=f"截至{year}年已培树{demo}家（目标2024年底前1–2家）",
        ),
        target(
            "benchmark_enterprises",
            "标杆企业（用体系管安全）",
            "实施方案 三(一)2：2025年底前，在辖区内培树2–3家标杆企业",
            target_value=2,
            actual=bench,
            unit="家",
            met=bench >= 2,
            due=date(2025, 12, 31),
            detail=f"截至{year}年已培树{bench}家（目标2025年底前累计2–3家）",
        ),
        target(
            "standardization_benchmarks",
            "安全生产标准化标杆企业（当年）",
            "实施方案 三(四)8：分行业、分等级选树安全生产标准化标杆企业，每年打造1–2家标杆企业",
            target_value=1,
            actual=std,
            unit="家",
            met=std >= 1,
            due=date(year, 12, 31),
            detail=f"{year}年打造安全生产标准化标杆企业{std}家（目标每年1–2家）",
        ),
    ]


def _share(done: int, total: int) -> float:
    return round(100.0 * done / total, 1) if total else 100.0


async def _drills(session: AsyncSession, ents: Any, year: int, on: date) -> tuple[int, int]:
    """(enterprises with an evacuation drill this year, drills observed by the street office)."""
    in_year = and_(
        within(ents, Drill.enterprise_id),
        Drill.held_on.between(date(year, 1, 1), min(on, date(year, 12, 31))),
        Drill.kind == DrillKind.evacuation.value,
    )
    drilled = select(func.count(func.distinct(Drill.enterprise_id))).where(in_year)
    # 方案 三(六)12 观摩 is of an evacuation drill (疏散逃生演练现场观摩), not any drill.
    observed = select(func.count()).select_from(Drill)
    observed = observed.where(in_year, Drill.observed_by_street_office.is_(True))
    return await _count(session, drilled), await _count(session, observed)


async def _people(
    session: AsyncSession, ents: Any, year: int, on: date, total: int
) -> list[dict[str, Any]]:
    drilled, observed = await _drills(session, ents, year, on)
    return [
        target(
            "enterprises_drilled",
            "本年开展疏散逃生演练的企业",
            "实施方案 三(六)12：推动辖区企业每年至少开展1次疏散逃生演练",
            target_value=100.0,
            actual=_share(drilled, total),
            done=drilled,
            total=total,
            unit="%",
            met=drilled >= total,
            due=date(year, 12, 31),
            detail=f"{year}年{total}家企业中{drilled}家已开展疏散逃生演练",
        ),
        target(
            "drill_observations",
            "街道疏散逃生演练现场观摩",
            "实施方案 三(六)12：每年至少组织1次疏散逃生演练现场观摩活动",
            target_value=1,
            actual=observed,
            unit="次",
            met=observed >= 1,
            due=date(year, 12, 31),
            detail=f"{year}年已组织现场观摩{observed}次",
        ),
    ]


def _period_case(month: Any, year: int, per_year: int) -> Any:
    return case(
        *[(month <= end.month, i) for i, (_, end) in enumerate(periods(year, per_year))], else_=-1
    )


def _principal_checks_of(session: AsyncSession, year: int) -> Any:
    """(eid, m): the year's principal checks with their Shanghai month (an index range on
    ix_inspections_kind_started, migration 0018)."""
    lo, hi = utc_bounds(date(year, 1, 1), date(year, 12, 31))
    return (
        select(
            Inspection.enterprise_id.label("eid"),
            shanghai_month_number(session, Inspection.started_at).label("m"),
        )
        .where(
            Inspection.kind == InspectionKind.principal_check.value,
            Inspection.started_at >= lo,
            Inspection.started_at < hi,
        )
        .subquery()
    )


async def _check_periods(
    session: AsyncSession, ents: Any, year: int, on: date, per_year: dict[bool, int]
) -> tuple[int, int, int]:
    """(periods due, periods covered, checks done), per_year keyed by "metal smelting":
    one pass over the year's checks grouped by (enterprise, period), and one over the
    enterprises counting each group."""
    sub = _principal_checks_of(session, year)
    smelting = has_feature(session, Feature.METAL_SMELTING.value)
    begun = {k: sum(1 for start, _ in periods(year, n) if start <= on) for k, n in per_year.items()}
    counts = select(func.count().filter(smelting), func.count().filter(~smelting)).select_from(
        Enterprise
    )
    n_smelting, n_other = (await session.execute(counts.where(within(ents, Enterprise.id)))).one()
    # A hashed list of the smelting enterprises: the JSON test runs once per enterprise, not
    # once per check and grouping key.
    smelters = select(Enterprise.id).where(smelting)
    rows = (
        select(sub.c.eid, sub.c.m, case((sub.c.eid.in_(smelters), 1), else_=0).label("g"))
        .where(within(ents, sub.c.eid), sub.c.m > 0)
        .subquery()
    )
    period = case(
        (rows.c.g == 1, _period_case(rows.c.m, year, per_year[True])),
        else_=_period_case(rows.c.m, year, per_year[False]),
    )
    per = (
        select(rows.c.g, period.label("p"), func.count().label("k"))
        .group_by(rows.c.eid, rows.c.g, period)
        .subquery()
    )
    due_by = case((per.c.g == 1, begun[True]), else_=begun[False])
    stmt = select(func.sum(per.c.k), func.sum(case((per.c.p < due_by, 1), else_=0)))
    done, covered = (await session.execute(stmt)).one()
    due = int(n_smelting) * begun[True] + int(n_other) * begun[False]
    return due, int(covered or 0), int(done or 0)


async def _checks(
    session: AsyncSession, ents: Any, year: int, on: date, settings: Settings
) -> dict[str, Any]:
    per_year = {
        True: settings.principal_checks_per_year_metal_smelting,
        False: settings.principal_checks_per_year,
    }
    due, covered, done = await _check_periods(session, ents, year, on, per_year)
    return target(
        "principal_checks",
        "主要负责人带队检查（按期）",
        "实施方案 三(三)4：主要负责人每季度至少带队检查1次（金属冶炼企业至少每月1次）",
        target_value=due,
        actual=covered,
        done=done,
        unit="期",
        met=covered >= due,
        due=date(year, 12, 31),
        detail=f"截至{on.isoformat()}应检{due}期（企业×季度/月），已覆盖{covered}期，共检查{done}次",
    )


async def _hazards(session: AsyncSession, ents: Any, on: date, live: bool) -> list[dict[str, Any]]:
    is_open, overdue = hazard_clauses(on, live)
    major = and_(within(ents, Hazard.enterprise_id), Hazard.level == "major")
    n_open = await _count(session, select(func.count()).select_from(Hazard).where(major, is_open))
    n_over = await _count(session, select(func.count()).select_from(Hazard).where(major, overdue))
    return [
        target(
            "major_open",
            "未销号重大事故隐患",
            "实施方案 三(三)5：重大事故隐患动态清零；"
            "二：2026年底前建立动态清零、闭环管理常态化机制",
            target_value=0,
            actual=n_open,
            unit="项",
            met=n_open == 0,
            due=PLAN_END,
            detail=f"截至{on.isoformat()}未销号重大事故隐患{n_open}项",
        ),
        target(
            "major_overdue",
            "超期未整改重大事故隐患",
            "实施方案 三(三)5：全面整改、照单逐条整改销号",
            target_value=0,
            actual=n_over,
            unit="项",
            met=n_over == 0,
            due=on,
            detail=f"截至{on.isoformat()}超过整改期限的重大事故隐患{n_over}项",
        ),
    ]


async def targets(
    session: AsyncSession, *, actor: Actor, year: int | None, settings: Settings
) -> dict[str, Any]:
    authorize(actor)
    today = today_in_shanghai()
    year = year or today.year
    on, live = evaluation_date(year, today)
    ents = scoped_enterprises(actor)
    mine = None if isinstance(stats_enterprise_scope(actor), True_) else ents
    everyone = select(func.count()).select_from(Enterprise)
    total = await _count(session, everyone.where(within(mine, Enterprise.id)))
    items = [
        *await _standardization(session, mine, year, on, live),
        await principal_training(session, ents, on, settings),
        *await _people(session, mine, year, on, total),
        await accident_followups(session, ents, year, on),
        await five_lead(session, ents, year, on),
        await _checks(session, mine, year, on, settings),
        *await _hazards(session, mine, on, live),
    ]
    if actor.role in (Role.street_office, Role.dashboard):  # the tasks are jurisdiction-wide
        items += await priority_task_targets(session, year)
    return {"year": year, "evaluated_on": on, "enterprises": total, "targets": items}
