"""Make, keep and serve bulletins. `generate_month_bulletin` is the plain function a periodic
job calls (issue 13 schedules it); the CLI and `POST /bulletins` call `generate` too."""

from __future__ import annotations

import asyncio
import json
import uuid
from calendar import monthrange
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import undefer

from app.core.config import Settings
from app.core.errors import NotFound, Unprocessable
from app.models.bulletin import Bulletin
from app.services import audit
from app.services.bulletins import render_pdf, render_xlsx
from app.services.bulletins.data import SYSTEM, gather
from app.services.pagination import keyset_page
from app.services.policy import Actor, Permission, require_permission

TITLE = "友谊路街道工贸行业安全生产治本攻坚晾晒通报"


def month_period(month: str) -> tuple[date, date]:
    """'2026-11' → (2026-11-01, 2026-11-30)."""
    year, mon = (int(x) for x in month.split("-"))
    return date(year, mon, 1), date(year, mon, monthrange(year, mon)[1])


def _label(start: date, end: date) -> str:
    if start.day == 1 and end == month_period(f"{start.year}-{start.month}")[1]:
        return f"{start.year}年{start.month}月"
    return f"{start.isoformat()}至{end.isoformat()}"


def _summary(data: dict[str, Any]) -> dict[str, Any]:
    """What dashboards may read: aggregates, targets, tasks, ranked enterprise names."""
    targets = [
        {k: t[k] for k in ("code", "title", "target_value", "actual", "unit", "met")}
        for t in data["targets"]
    ]
    out = {**data, "targets": targets}
    out.pop("by_enterprise")
    return dict(json.loads(json.dumps(out, default=str, ensure_ascii=False)))


async def generate(
    session: AsyncSession,
    *,
    start: date,
    end: date,
    settings: Settings,
    actor: Actor = SYSTEM,
) -> Bulletin:
    """Gather and render the period's bulletin; a period made before is made again."""
    if end < start:
        raise Unprocessable("结束日期不能早于开始日期", "end before start", code="invalid_range")
    data = await gather(session, start=start, end=end, settings=settings, actor=actor)
    title = f"{TITLE}（{_label(start, end)}）"
    # openpyxl, matplotlib and reportlab are CPU work: off the event loop.
    xlsx = await asyncio.to_thread(render_xlsx.render, data, title)
    pdf = await asyncio.to_thread(render_pdf.render, data, title)
    row = await session.scalar(
        select(Bulletin).where(Bulletin.period_start == start, Bulletin.period_end == end)
    )
    created = row is None
    if row is None:
        row = Bulletin(id=uuid.uuid4(), period_start=start, period_end=end)
        session.add(row)
    row.label, row.summary, row.xlsx, row.pdf = _label(start, end), _summary(data), xlsx, pdf
    row.created_by = None if actor is SYSTEM else actor.user_id
    await session.flush()
    _record(session, actor, row, created)
    return row


def _record(session: AsyncSession, actor: Actor, row: Bulletin, created: bool) -> None:
    audit.record(
        session,
        actor=None if actor is SYSTEM else actor,
        action="create" if created else "update",
        object_type="bulletin",
        object_id=row.id,
        changes={"period": {"before": None, "after": f"{row.period_start}/{row.period_end}"}},
    )
    audit.emit(
        session,
        topic="bulletin.published",
        object_type="bulletin",
        object_id=row.id,
        payload={"label": row.label},
    )


async def generate_month_bulletin(
    session: AsyncSession, *, month: str, settings: Settings
) -> Bulletin:
    """This month's (or any month's) bulletin — for the periodic job and the CLI."""
    start, end = month_period(month)
    return await generate(session, start=start, end=end, settings=settings)


async def create(
    session: AsyncSession, *, actor: Actor, start: date, end: date, settings: Settings
) -> Bulletin:
    require_permission(actor, Permission.PLAN_MANAGE)
    return await generate(session, start=start, end=end, settings=settings, actor=actor)


async def list_bulletins(
    session: AsyncSession, *, actor: Actor, limit: int, cursor: str | None, summaries: bool
) -> tuple[list[Bulletin], str | None]:
    """Newest period first: the street office's list, or the summaries dashboards read
    under /stats (aggregates only)."""
    require_permission(actor, Permission.STATS_READ if summaries else Permission.PLAN_MANAGE)
    stmt = select(Bulletin)
    return await keyset_page(
        session,
        stmt,
        order=[Bulletin.period_end, Bulletin.id],
        limit=limit,
        cursor=cursor,
        descending=True,
    )


async def file_of(
    session: AsyncSession, *, actor: Actor, bulletin_id: uuid.UUID, fmt: str
) -> tuple[Bulletin, bytes]:
    require_permission(actor, Permission.PLAN_MANAGE)
    row = await session.scalar(
        select(Bulletin).where(Bulletin.id == bulletin_id).options(undefer(getattr(Bulletin, fmt)))
    )
    if row is None:
        raise NotFound("通报不存在", "Bulletin not found")
    return row, getattr(row, fmt)
