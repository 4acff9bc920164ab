"""GET /stats/ranking: the 晾晒通报 view (方案 四(一)) — enterprises by unmet checks, then by
overdue hazards. Facts come from the compliance queries, grouped over the whole scope."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.models.enterprise import Enterprise
from app.rules.calendar import today_in_shanghai
from app.services.compliance import evaluation_date, gather
from app.services.compliance.checks import evaluate
from app.services.pagination import cursor_key, decode_cursor, encode_cursor
from app.services.policy import Actor
from app.services.stats.common import authorize, scoped_enterprises

# Only what the ranking needs; the principal head's name is read for the training rule and
# never leaves this module (the dashboard sees no names of people).
_COLUMNS = (
    Enterprise.id,
    Enterprise.name,
    Enterprise.grid_id,
    Enterprise.sector,
    Enterprise.features,
    Enterprise.principal_name,
    Enterprise.standardization_grade,
    Enterprise.standardization_certified_on,
    Enterprise.standardization_expires_on,
    Enterprise.standardization_required,
)


def _key(row: dict[str, Any]) -> tuple[int, int, str, str]:
    return (
        -row["unmet_count"],
        -row["overdue_hazards"],
        row["enterprise_name"],
        str(row["enterprise_id"]),
    )


async def _rows(
    session: AsyncSession, actor: Actor, year: int, settings: Settings
) -> tuple[Any, list[dict[str, Any]]]:
    """(evaluation date, every scoped enterprise's row, ranked)."""
    on, live = evaluation_date(year, today_in_shanghai())
    ents = scoped_enterprises(actor)
    facts = await gather(
        session,
        enterprise_ids=ents,
        year=year,
        on=on,
        live=live,
        warning_days=settings.certificate_warning_days,
    )
    rows = []
    for ent in (await session.execute(select(*_COLUMNS).where(Enterprise.id.in_(ents)))).all():
        f = facts[ent.id]
        unmet = [c.code for c in evaluate(ent, f, year=year, on=on, settings=settings) if not c.met]
        rows.append(
            {
                "enterprise_id": ent.id,
                "enterprise_name": ent.name,
                "grid_id": ent.grid_id,
                "sector": ent.sector,
                "unmet_count": len(unmet),
                "unmet_codes": unmet,
                "overdue_hazards": f.overdue,
                "major_overdue": f.major_overdue,
                "major_open": f.major_open,
            }
        )
    rows.sort(key=_key)
    for i, row in enumerate(rows, start=1):
        row["rank"] = i
    return on, rows


async def ranking(
    session: AsyncSession,
    *,
    actor: Actor,
    year: int | None,
    settings: Settings,
    limit: int,
    cursor: str | None,
) -> dict[str, Any]:
    authorize(actor)
    year = year or today_in_shanghai().year
    on, rows = await _rows(session, actor, year, settings)
    key = cursor_key(session)
    if cursor:
        after = decode_cursor(cursor, [Enterprise.id], key=key)[0]
        index = next((i for i, r in enumerate(rows) if r["enterprise_id"] == after), len(rows) - 1)
        rows = rows[index + 1 :]
    page = rows[:limit]
    last = page[-1]["enterprise_id"] if page else None
    nxt = encode_cursor([last], [Enterprise.id], key=key) if len(rows) > limit else None
    return {"year": year, "evaluated_on": on, "items": page, "next_cursor": nxt}
