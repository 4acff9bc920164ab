"""The ledger export (隐患台账): CSV with BOM or a write-only XLSX, in constant memory.

Rows are fetched in keyset batches with the list's filters and scope, so a 100,000-row
export holds one batch in memory at a time. Cells come out typed (dates, times, amounts);
the CSV writes them as text with the formula guard, the XLSX (export_xlsx.py) as typed cells.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import AsyncIterator, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import tuple_
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from app.models.enterprise import Enterprise
from app.models.grid import Grid
from app.models.hazard import Hazard
from app.models.user import User
from app.rules.calendar import SHANGHAI, today_in_shanghai
from app.rules.levels import LEVEL_LABELS, HazardLevel
from app.services.hazards.labels import CATEGORY_LABELS, SOURCE_LABELS, STATUS_LABELS
from app.services.hazards.queries import HazardFilters, filtered, is_overdue
from app.services.policy import Actor, Permission, require_permission

HEADERS = [
    "编号",
    "企业",
    "网格",
    "隐患描述",
    "位置",
    "类别",
    "等级",
    "判定依据",
    "来源",
    "发现时间",
    "发现人",
    "整改责任人",
    "整改期限",
    "整改措施",
    "整改资金",
    "状态",
    "验收人",
    "验收时间",
    "销号时间",
    "是否逾期",
    "是否挂牌督办",
]
BATCH = 500
# Spreadsheet formula injection (OWASP CSV injection): text cells never start a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: Any) -> Any:
    """A cell as CSV text: dates ISO, times to the minute in Shanghai, no formula start."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _time(value: datetime | None) -> datetime | None:
    """Shanghai wall-clock time without offset: spreadsheets have no time zones."""
    return value.astimezone(SHANGHAI).replace(tzinfo=None) if value else None


def _basis(basis: dict[str, Any]) -> str:
    parts = []
    if basis.get("item_codes"):
        parts.append(
            f"判定标准{basis.get('standard_version') or ''}版 第{'、'.join(basis['item_codes'])}项"
        )
    if basis.get("manual_reason"):
        parts.append(f"人工认定：{basis['manual_reason']}")
    if basis.get("downgraded"):
        parts.append(f"已降级：{basis['downgraded'].get('reason', '')}")
    return "；".join(parts)


def _cells(row: Any, today: date) -> list[Any]:
    h: Hazard = row[0]
    cells = [
        h.ledger_no,
        row[1],
        row[2],
        h.description,
        h.location or "",
        CATEGORY_LABELS.get(h.category, h.category),
        LEVEL_LABELS.get(HazardLevel(h.level), h.level),
        _basis(h.basis),
        SOURCE_LABELS.get(h.source, h.source),
        _time(h.found_at),
        row[3] or "",
        h.responsible_person or "",
        h.deadline,
        h.measures or "",
        float(h.funds) if h.funds is not None else None,
        STATUS_LABELS.get(h.status, h.status),
        row[4] or "",
        _time(h.verified_at),
        _time(h.closed_at),
        "是" if is_overdue(h, today) else "否",
        "是" if h.supervised else "否",
    ]
    return cells


async def batches(
    session: AsyncSession, actor: Actor, filters: HazardFilters
) -> AsyncIterator[list[list[Any]]]:
    today = today_in_shanghai()
    finder, verifier = aliased(User), aliased(User)
    base = (
        filtered(actor, filters, today)
        .join(Enterprise, Enterprise.id == Hazard.enterprise_id)
        .join(Grid, Grid.id == Enterprise.grid_id)
        .outerjoin(finder, finder.id == Hazard.found_by)
        .outerjoin(verifier, verifier.id == Hazard.verified_by)
        .add_columns(
            Enterprise.name,
            Grid.name,
            finder.display_name,
            verifier.display_name,
        )
        .order_by(Hazard.found_at.desc(), Hazard.id.desc())
        .limit(BATCH)
    )
    last: Sequence[Any] | None = None
    while True:
        stmt = (
            base if last is None else base.where(tuple_(Hazard.found_at, Hazard.id) < tuple_(*last))
        )
        rows = (await session.execute(stmt)).all()
        if not rows:
            return
        yield [_cells(r, today) for r in rows]
        if len(rows) < BATCH:
            return
        last = (rows[-1][0].found_at, rows[-1][0].id)
        session.expunge_all()  # keep the identity map (and memory) to one batch


def check_export(actor: Actor) -> None:
    require_permission(actor, Permission.HAZARD_EXPORT)


async def stream_csv(
    sessionmaker: async_sessionmaker[AsyncSession], actor: Actor, filters: HazardFilters
) -> AsyncIterator[bytes]:
    """UTF-8 with BOM so Excel opens the Chinese text correctly."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(HEADERS)
    yield codecs.BOM_UTF8 + buf.getvalue().encode()
    async with sessionmaker() as session:
        async for batch in batches(session, actor, filters):
            buf.seek(0)
            buf.truncate()
            writer.writerows([_csv_cell(c) for c in row] for row in batch)
            yield buf.getvalue().encode()
