"""The figures of a 晾晒通报 bulletin (plan §四(一) 建立信息汇总、动态研判、晾晒通报…机制) for a
period, taken from the same service functions as the statistics endpoints, so a bulletin says
what `/stats/hazards`, `/stats/targets` and `/stats/ranking` say for that period.

Aggregates and enterprise names only; no person's name, phone or ID number.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.models.user import Role
from app.services import priority_tasks
from app.services.policy import Actor
from app.services.stats import GroupBy, hazard_series, ranking, targets

# The street office's view, for the CLI and scheduled runs that have no caller.
SYSTEM = Actor(user_id=uuid.UUID(int=0), username="system", role=Role.street_office)
RANKED = 10  # worst and best shown


def _totals(items: list[dict[str, Any]]) -> dict[str, Any]:
    keys = ("found", "major", "open", "closed", "overdue")
    out: dict[str, Any] = {k: sum(int(i[k]) for i in items) for k in keys}
    out["rectification_rate"] = (
        round(100.0 * out["closed"] / out["found"], 1) if out["found"] else None
    )
    return out


def _rows(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**i, **{"rectification_rate": _totals([i])["rectification_rate"]}} for i in items]


async def gather(
    session: AsyncSession, *, start: date, end: date, settings: Settings, actor: Actor = SYSTEM
) -> dict[str, Any]:
    """Everything a bulletin shows for [start, end] (Shanghai dates)."""
    by_grid = await hazard_series(
        session, actor=actor, group_by=GroupBy.grid, date_from=start, date_to=end, limit=100
    )
    by_ent = await hazard_series(
        session, actor=actor, group_by=GroupBy.enterprise, date_from=start, date_to=end, limit=100
    )
    year = end.year
    tgt = await targets(session, actor=actor, year=year, settings=settings)
    ranked = (
        await ranking(
            session, actor=actor, year=year, settings=settings, limit=100_000, cursor=None
        )
    )["items"]
    keep = (
        "rank",
        "enterprise_id",
        "enterprise_name",
        "unmet_count",
        "unmet_codes",
        "overdue_hazards",
        "major_open",
    )
    ranked = [{k: r[k] for k in keep} for r in ranked]
    return {
        "period": {"start": start, "end": end, "year": year},
        "evaluated_on": tgt["evaluated_on"],
        "totals": _totals(by_grid["items"]),
        "by_grid": _rows(by_grid["items"]),
        "by_enterprise": _rows(by_ent["items"]),
        "targets": tgt["targets"],
        "worst": ranked[:RANKED],
        "best": list(reversed(ranked[-RANKED:]))
        if len(ranked) > RANKED
        else list(reversed(ranked)),
        "priority_tasks": await priority_tasks.tasks_of_year(session, year),
    }
