"""Periodic duties not yet done with 30 and 7 days left in their period (issue 13), judged by
the compliance facts and settings the compliance check uses:
- 主要负责人带队检查: quarterly, monthly for metal smelting (plan §三(三)4;
  `principal_checks_per_year`, `…_metal_smelting`);
- 疏散逃生演练: yearly, half-yearly for 厂中厂 (plan §三(六)12; `drills_per_year`,
  `…_factory_in_factory`)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.models.enterprise import Enterprise
from app.models.notification import NotificationKind
from app.rules import reminders as rules
from app.rules.calendar import period_of
from app.rules.enterprise_kinds import Feature
from app.services.compliance.facts import Facts, gather
from app.services.reminders.recipients import Recipients
from app.services.reminders.sending import Due, Message, send


def _duties(features: list[str], s: Settings) -> list[tuple[str, str, int, str]]:
    """(stage prefix, kind, periods per year, what) for an enterprise's features."""
    smelting = Feature.METAL_SMELTING.value in features
    fif = Feature.FACTORY_IN_FACTORY.value in features
    return [
        (
            "check",
            NotificationKind.principal_check_due,
            s.principal_checks_per_year_metal_smelting if smelting else s.principal_checks_per_year,
            "主要负责人带队检查",
        ),
        (
            "drill",
            NotificationKind.drill_due,
            s.drills_per_year_factory_in_factory if fif else s.drills_per_year,
            "疏散逃生演练",
        ),
    ]


def _done(by_month: dict[int, int], start: date, end: date) -> int:
    return sum(by_month.get(m, 0) for m in range(start.month, end.month + 1))


async def scan(
    session: AsyncSession, *, today: date, now: datetime, settings: Settings, people: Recipients
) -> tuple[int, int]:
    ents = (
        await session.execute(
            select(Enterprise.id, Enterprise.features, Enterprise.grid_id, Enterprise.name)
        )
    ).all()
    facts = await gather(
        session,
        enterprise_ids=select(Enterprise.id),
        year=today.year,
        on=today,
        live=True,
        warning_days=settings.certificate_warning_days,
    )
    due: list[Due] = []
    for ent_id, features, grid_id, name in ents:
        f = facts.get(ent_id, Facts())
        for prefix, kind, per_year, what in _duties(list(features or []), settings):
            start, end = period_of(today, per_year)
            by_month = f.checks_by_month if prefix == "check" else f.drills_by_month
            stage = rules.period_stage(end, today)
            if stage is None or _done(by_month, start, end):
                continue
            left = (end - today).days
            title = f"{what}提醒：还剩 {left} 天"
            body = (
                f"{name}本期（{start.isoformat()} 至 {end.isoformat()}）尚未开展{what}，"
                f"距本期结束还有 {left} 天，请按实施方案要求按期完成并在系统中记录。"
            )
            messages = tuple(Message(u, kind, title, body) for u in people.local(ent_id, grid_id))
            due.append(Due("enterprise", ent_id, end, f"{prefix}:{stage}", messages))
    return await send(session, due, today=today, now=now)
