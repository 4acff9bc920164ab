"""GET /stats/targets: the plan's targets for a year, each with its citation and progress.

The counts come from one statement (`targets_facts.target_facts`, issue 11); this module
turns them into the targets. Standardization counts are reconstructed from the grade's
certification and expiry dates (only the current grade is kept on the enterprise), so an
earlier grade replaced by a newer one is not seen.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import True_

from app.core.config import Settings
from app.models.user import Role
from app.rules.calendar import today_in_shanghai
from app.services.compliance import evaluation_date
from app.services.compliance.facts import PLAN_END
from app.services.policy import Actor, stats_enterprise_scope
from app.services.stats.common import authorize, scoped_enterprises
from app.services.stats.targets_facts import target_facts
from app.services.stats.targets_plan import (
    accident_followups,
    five_lead,
    principal_training,
    priority_task_targets,
)


def target(code: str, title: str, citation: str, **kw: Any) -> dict[str, Any]:
    return {"code": code, "title": title, "citation": citation, **kw}


def _standardization(f: dict[str, int], year: int, on: date) -> list[dict[str, Any]]:
    # 方案 三(四)8 一票否决: a graded enterprise with an open major hazard does not count.
    now, before = f["std_now"], f["std_before"]
    # 方案 三(四)8: +5 % a year; from none, growth means at least one.
    goal = math.ceil(before * 1.05) if before else 1
    vetoed = f["graded_now"] - now
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
        *_designation_targets(year, f["demo"], f["bench"], f["std_bench"]),
    ]


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


def _people(f: dict[str, int], year: int) -> list[dict[str, Any]]:
    total, drilled, observed = f["total"], f["drilled"], f["observed"]
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


def _checks(f: dict[str, int], year: int, on: date) -> dict[str, Any]:
    """Due: each enterprise's periods begun by `on` (metal smelting: its own per-year)."""
    due, covered, done = f["due"], f["covered"], f["done"]
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


def _hazards(f: dict[str, int], on: date) -> list[dict[str, Any]]:
    n_open, n_over = f["major_open"], f["major_overdue"]
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
    f = await target_facts(session, mine, year, on, live, settings)
    total = f["total"]
    items = [
        *_standardization(f, year, on),
        principal_training(f["trained"], f["key_total"], settings),
        *_people(f, year),
        await accident_followups(session, ents, year, on),
        five_lead(total, f["any"], f["all_five"], year),
        _checks(f, year, on),
        *_hazards(f, on),
    ]
    if actor.role in (Role.street_office, Role.dashboard):  # the tasks are jurisdiction-wide
        items += await priority_task_targets(session, year)
    return {"year": year, "evaluated_on": on, "enterprises": total, "targets": items}
