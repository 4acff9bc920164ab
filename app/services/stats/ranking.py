"""GET /stats/ranking: the 晾晒通报 view (方案 四(一)) — enterprises by unmet checks, then by
overdue hazards, then name and id.

Issue 11: the page is chosen in SQL. The unmet count is the SQL copy of the checks
(`compliance/unmet.py`); one statement ranks every scoped enterprise by (unmet desc, overdue
desc, name, id) — `rank` is the row's position in that whole ordering (a window function) —
and returns the `limit + 1` rows after the cursor's key. The cursor carries that full key,
signed. The page's enterprises alone then get their facts gathered and Python `evaluate` run,
which says the codes shown. Nothing is cached: every request reads the records as they are.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from sqlalchemy import Integer, Row, String, True_, func, literal, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app.core.config import Settings
from app.models.enterprise import Enterprise
from app.rules.calendar import today_in_shanghai
from app.services.compliance import evaluation_date, gather
from app.services.compliance.checks import evaluate
from app.services.compliance.unmet import unmet_checks
from app.services.pagination import CursorField, cursor_key, decode_cursor, encode_cursor
from app.services.policy import Actor, stats_enterprise_scope
from app.services.stats.common import authorize, scoped_enterprises

log = logging.getLogger("zhiben.stats")

# The cursor's key, signed under these names (a cursor of the former list-index form is
# refused as invalid: the client starts again from the first page).
CURSOR_KEY = (
    CursorField("ranking.unmet_count", Integer()),
    CursorField("ranking.overdue_hazards", Integer()),
    Enterprise.name,
    Enterprise.id,
)
# Above this many enterprises on one page (the bulletin asks for every row), the facts are
# gathered for the whole scope rather than for a list of ids (bind-parameter limits).
_ID_LIST_MAX = 1000

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


def _name_order(session: AsyncSession, col: Any) -> Any:
    # Today's order is Python's (code points). SQLite's BINARY compares UTF-8 bytes, which is
    # the same; PostgreSQL sorts by the database's collation unless told "C" (bytes).
    return col.collate("C") if session.get_bind().dialect.name == "postgresql" else col


def _page_statement(
    session: AsyncSession,
    actor: Actor,
    *,
    year: int,
    on: date,
    live: bool,
    settings: Settings,
    after: list[Any] | None,
) -> Any:
    ents = scoped_enterprises(actor)
    mine = None if isinstance(stats_enterprise_scope(actor), True_) else ents
    sql = unmet_checks(session, ents=mine, year=year, on=on, live=live, settings=settings)
    # Only the key is sorted (every scoped enterprise); the page's rows are joined after.
    scored = select(
        Enterprise.id, Enterprise.name, sql.unmet.label("unmet_count"),
        sql.overdue.label("overdue_hazards"),
    ).select_from(sql.source)  # fmt: skip
    if mine is not None:
        scored = scored.where(Enterprise.id.in_(mine))
    s = scored.subquery("scored")
    order = (
        s.c.unmet_count.desc(),
        s.c.overdue_hazards.desc(),
        _name_order(session, s.c.name),
        s.c.id,
    )
    ranked = select(s, func.row_number().over(order_by=order).label("rank")).subquery("ranked")
    r = ranked.c
    ent = aliased(Enterprise)
    stmt = (
        select(r.rank, r.unmet_count, r.overdue_hazards, *(getattr(ent, c.key) for c in _COLUMNS))
        .join_from(ranked, ent, ent.id == r.id)
        .order_by(
            r.unmet_count.desc(), r.overdue_hazards.desc(), _name_order(session, r.name), r.id
        )
    )
    if after is None:
        return stmt
    unmet, overdue, name, eid = after
    # (-unmet, -overdue, name, id) ascending is the order above: one row-value comparison.
    key = tuple_(-r.unmet_count, -r.overdue_hazards, _name_order(session, r.name), r.id)
    bound = tuple_(
        literal(-unmet, Integer()),
        literal(-overdue, Integer()),
        literal(name, String()),
        literal(eid, Enterprise.id.type),
    )
    return stmt.where(key > bound)


def _item(row: Row[Any], unmet: list[str], facts: Any) -> dict[str, Any]:
    return {
        "rank": int(row.rank),
        "enterprise_id": row.id,
        "enterprise_name": row.name,
        "grid_id": row.grid_id,
        "sector": row.sector,
        "unmet_count": len(unmet),
        "unmet_codes": unmet,
        "overdue_hazards": facts.overdue,
        "major_overdue": facts.major_overdue,
        "major_open": facts.major_open,
    }


async def _items(
    session: AsyncSession,
    actor: Actor,
    rows: list[Row[Any]],
    *,
    year: int,
    on: date,
    live: bool,
    settings: Settings,
) -> list[dict[str, Any]]:
    ids = [row.id for row in rows]
    facts = await gather(
        session,
        enterprise_ids=ids if len(ids) <= _ID_LIST_MAX else scoped_enterprises(actor),
        year=year,
        on=on,
        live=live,
        warning_days=settings.certificate_warning_days,
    )
    items = []
    for row in rows:
        f = facts[row.id]
        unmet = [c.code for c in evaluate(row, f, year=year, on=on, settings=settings) if not c.met]
        if (len(unmet), f.overdue) != (row.unmet_count, row.overdue_hazards):
            # The SQL copy ordered the page; Python says what is shown. They differ when a
            # record was written between the two statements (a GET reads each statement's
            # own snapshot) — or through a bug in one copy, which the tests at each check's
            # boundary are there to catch. The row keeps its place (its key paged it) and
            # shows Python's codes and counts: never a code the rules did not decide.
            log.warning(
                "ranking key differs from evaluate: enterprise %s sql (%s, %s) python (%s, %s)",
                row.id,
                row.unmet_count,
                row.overdue_hazards,
                len(unmet),
                f.overdue,
            )
        items.append(_item(row, unmet, f))
    return items


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
    on, live = evaluation_date(year, today_in_shanghai())
    key = cursor_key(session)
    after = decode_cursor(cursor, CURSOR_KEY, key=key) if cursor else None
    stmt = _page_statement(
        session, actor, year=year, on=on, live=live, settings=settings, after=after
    )
    rows = list((await session.execute(stmt.limit(limit + 1))).all())
    page = rows[:limit]
    items = await _items(session, actor, page, year=year, on=on, live=live, settings=settings)
    nxt = None
    if len(rows) > limit:
        last = page[-1]
        values = [last.unmet_count, last.overdue_hazards, last.name, last.id]
        nxt = encode_cursor(values, CURSOR_KEY, key=key)
    return {"year": year, "evaluated_on": on, "items": items, "next_cursor": nxt}
