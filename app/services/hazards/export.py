"""The ledger export (隐患台账): CSV with BOM or a write-only XLSX, in constant memory.

Rows are fetched in keyset batches with the list's filters and scope, so a 100,000-row
export holds one batch in memory at a time; the XLSX is written by openpyxl's write-only
workbook (rows go to a temporary file as they are appended) and streamed back in chunks.
"""

from __future__ import annotations

import asyncio
import codecs
import csv
import io
import os
import tempfile
from collections.abc import AsyncIterator, Sequence
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
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
CHUNK = 64 * 1024
# Spreadsheet formula injection (OWASP CSV injection): text cells never start a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _time(value: datetime | None) -> str:
    return value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if value else ""


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
        h.deadline.isoformat() if h.deadline else "",
        h.measures or "",
        float(h.funds) if h.funds is not None else "",
        STATUS_LABELS.get(h.status, h.status),
        row[4] or "",
        _time(h.verified_at),
        _time(h.closed_at),
        "是" if is_overdue(h, today) else "否",
        "是" if h.supervised else "否",
    ]
    return [_safe(c) for c in cells]


async def _batches(
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
        async for batch in _batches(session, actor, filters):
            buf.seek(0)
            buf.truncate()
            writer.writerows(batch)
            yield buf.getvalue().encode()


def _append(ws: Any, rows: list[list[Any]]) -> None:
    for r in rows:
        ws.append(r)


async def stream_xlsx(
    sessionmaker: async_sessionmaker[AsyncSession], actor: Actor, filters: HazardFilters
) -> AsyncIterator[bytes]:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("隐患台账")
    ws.append(HEADERS)
    fd, path = tempfile.mkstemp(suffix=".xlsx", prefix="zhiben-export-")
    os.close(fd)
    try:
        async with sessionmaker() as session:
            async for batch in _batches(session, actor, filters):
                # openpyxl is synchronous CPU work: keep it off the event loop.
                await asyncio.to_thread(_append, ws, batch)
        await asyncio.to_thread(wb.save, path)
        with open(path, "rb") as f:  # noqa: ASYNC230 — small reads of a local temp file
            while chunk := await asyncio.to_thread(f.read, CHUNK):
                yield chunk
    finally:
        os.unlink(path)
