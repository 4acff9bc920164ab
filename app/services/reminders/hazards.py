"""Rectification deadline reminders and escalation (issue 13; plan §二 动态清零, §三(二)
全面整改; brief §3: a hazard is overdue from the day after its deadline).

Open = `reported` or `rectifying` (the statuses `overdue` is derived from); closing or voiding
a hazard ends its reminders, and a new deadline starts its stages again."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.models.enterprise import Enterprise
from app.models.hazard import Hazard, HazardStatus
from app.models.notification import NotificationKind
from app.rules import reminders as rules
from app.services.reminders.recipients import Recipients
from app.services.reminders.sending import Due, Message, send

BATCH = 500
OPEN = (HazardStatus.reported, HazardStatus.rectifying)
LEVEL_ZH = {"major": "重大", "general": "一般"}


async def scan(
    session: AsyncSession, *, today: date, now: datetime, settings: Settings, people: Recipients
) -> tuple[int, int]:
    """(stages sent, notifications written) for every open hazard with a deadline."""
    del settings
    stmt = (
        select(
            Hazard.id,
            Hazard.ledger_no,
            Hazard.level,
            Hazard.supervised,
            Hazard.deadline,
            Hazard.enterprise_id,
            Enterprise.grid_id,
            Enterprise.name,
        )
        .join(Enterprise, Enterprise.id == Hazard.enterprise_id)
        .where(
            Hazard.status.in_(OPEN),
            Hazard.deadline.is_not(None),
            Hazard.deadline <= today + timedelta(days=rules.BEFORE[0]),
        )
        .order_by(Hazard.id)
    )
    stages = notes = 0
    batch: list[Due] = []
    for row in (await session.execute(stmt)).all():
        due = _due(row, today, people)
        if due is not None:
            batch.append(due)
        if len(batch) >= BATCH:
            stages, notes = await _flush(session, batch, today, now, stages, notes)
    stages, notes = await _flush(session, batch, today, now, stages, notes)
    return stages, notes


async def _flush(
    session: AsyncSession, batch: list[Due], today: date, now: datetime, stages: int, notes: int
) -> tuple[int, int]:
    won, sent = await send(session, batch, today=today, now=now)
    batch.clear()
    return stages + won, notes + sent


def _due(row: Any, today: date, people: Recipients) -> Due | None:
    hazard_id, ledger_no, level, supervised, deadline, enterprise_id, grid_id, name = row
    stage = rules.hazard_stage(deadline, today)
    if stage is None:
        return None
    title, body = _text(ledger_no, LEVEL_ZH.get(level, level), name, deadline, today)
    messages = [
        Message(u, NotificationKind.hazard_deadline, title, body)
        for u in people.local(enterprise_id, grid_id)
    ]
    late = (today - deadline).days
    if level == "major" and rules.overdue_days(stage) >= rules.ESCALATE_MAJOR_FROM:
        advice = "已挂牌督办，请跟进督办进度。" if supervised else "建议列入挂牌督办。"
        messages += [
            Message(
                u,
                NotificationKind.hazard_escalation,
                f"重大隐患逾期 {late} 天：{ledger_no}",
                f"{body}{advice}",
            )
            for u in people.office
        ]
    return Due("hazard", hazard_id, deadline, stage, tuple(messages))


def _text(ledger_no: str, level: str, name: str, deadline: date, today: date) -> tuple[str, str]:
    left = (deadline - today).days
    head = f"{name}的{level}隐患 {ledger_no}（整改期限 {deadline.isoformat()}）"
    if left > 0:
        return f"隐患整改期限提醒：{ledger_no}", f"{head}还有 {left} 天到期，请按期完成整改。"
    if left == 0:
        return f"隐患今日到期：{ledger_no}", f"{head}今天到期，请完成整改并提交验收。"
    return (
        f"隐患已逾期 {-left} 天：{ledger_no}",
        f"{head}已逾期 {-left} 天，请尽快完成整改并提交验收。",
    )
