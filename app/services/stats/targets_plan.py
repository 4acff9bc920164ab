"""Targets of /stats/targets that depend on configured membership or on follow-up records:
the principal-training coverage of 重点行业领域 enterprises (方案 三(六)11), the follow-up
of serious accidents (方案 三(三)6), 五带头 records (方案 四(二)) and the year's priority
tasks (方案 三(三)5)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.models.accident import Accident
from app.rules.enterprise_kinds import FEATURE_LABELS, SECTOR_LABELS, TIER_LABELS
from app.rules.five_lead import CITATION as FIVE_LEAD_CITATION
from app.services import priority_tasks
from app.services.compliance.facts import PLAN_END, accident_followup_columns


def _membership(settings: Settings) -> str:
    parts = [
        "、".join(FEATURE_LABELS.get(f, f) for f in settings.key_industry_features),
        "、".join(SECTOR_LABELS.get(s, s) for s in settings.key_industry_sectors),
        "、".join(TIER_LABELS.get(t, t) for t in settings.key_industry_tiers),
    ]
    names = ("特征", "行业", "类别")
    return "；".join(f"{n}：{p}" for n, p in zip(names, parts, strict=True) if p) or "未配置"


def principal_training(done: int, total: int, settings: Settings) -> dict[str, Any]:
    """方案 三(六)11: 工贸重点行业领域企业主要负责人专题培训全覆盖 — key industries only
    (`total`: the key-industry enterprises; `done`: those whose current principal head is
    trained, targets_facts._trained)."""
    return {
        "code": "principal_training_coverage",
        "title": "重点行业领域企业主要负责人专题安全教育培训覆盖率",
        "citation": "实施方案 三(六)11：三年内完成工贸重点行业领域企业主要负责人"
        "专题安全教育培训全覆盖",
        "target_value": 100.0,
        "actual": round(100.0 * done / total, 1) if total else 100.0,
        "done": done,
        "total": total,
        "unit": "%",
        "met": done >= total,
        "due": PLAN_END,
        "detail": f"重点行业领域企业（{_membership(settings)}）{total}家中"
        f"{done}家主要负责人已完成专题培训",
    }


async def accident_followups(
    session: AsyncSession, ents: Any, year: int, on: date
) -> dict[str, Any]:
    """方案 三(三)6: every 较大及以上 accident and 重大涉险 event gets a 警示约谈 reported to
    the district; lists the accidents still lacking one."""
    scope, interviewed, reported = accident_followup_columns(year, on)
    rows = (
        await session.execute(
            select(Accident.id, and_(interviewed, reported))
            .where(Accident.enterprise_id.in_(ents), scope)
            .order_by(Accident.occurred_at, Accident.id)
        )
    ).all()
    missing = [r[0] for r in rows if not r[1]]
    return {
        "code": "accident_followups",
        "title": "较大及以上事故、重大涉险事故警示约谈并上报",
        "citation": "实施方案 三(三)6：深入剖析每一起较大及以上和重大涉险事故，"
        "对涉事企业相关负责人实施警示约谈并上报区应急局",
        "target_value": 0,
        "actual": len(missing),
        "done": len(rows) - len(missing),
        "total": len(rows),
        "unit": "起",
        "met": not missing,
        "due": date(year, 12, 31),
        "detail": f"{year}年较大及以上事故、重大涉险事故{len(rows)}起，"
        f"{len(missing)}起尚未警示约谈或未上报区应急局",
        "object_ids": missing,
    }


__all__ = ["accident_followups", "principal_training"]


def five_lead(total: int, any_n: int, done: int, year: int) -> dict[str, Any]:
    """方案 四(二): 五带头 recorded — enterprises whose principal head has all five this year
    (`any_n`, `done`: principal_actions.coverage_counts)."""
    return {
        "code": "five_lead_coverage",
        "title": "主要负责人“五带头”落实记录",
        "citation": FIVE_LEAD_CITATION,
        "target_value": 100.0,
        "actual": round(100.0 * done / total, 1) if total else 100.0,
        "done": done,
        "total": total,
        "unit": "%",
        "met": done >= total,
        "due": date(year, 12, 31),
        "detail": f"{year}年{total}家企业中{done}家主要负责人五项均有记录，{any_n}家有至少一项记录",
    }


async def priority_task_targets(session: AsyncSession, year: int) -> list[dict[str, Any]]:
    """方案 三(三)5: each of the year's 整治重点任务 that has a target (jurisdiction-wide)."""
    out = []
    for task in await priority_tasks.tasks_of_year(session, year):
        if task["target_inspected"] is None:
            continue
        p = task["progress"]
        out.append(
            {
                "code": f"priority_task:{task['id']}",
                "title": f"整治重点任务：{task['title']}",
                "citation": priority_tasks.CITATION,
                "target_value": task["target_inspected"],
                "actual": p["inspected"],
                "unit": "家",
                "met": bool(task["met"]),
                "due": date(year, 12, 31),
                "detail": f"范围内企业{p['enterprises']}家，已检查{p['inspected']}家；"
                f"发现相关隐患{p['hazards_found']}项、已销号{p['hazards_closed']}项，"
                f"未销号重大事故隐患{p['major_open']}项",
            }
        )
    return out
