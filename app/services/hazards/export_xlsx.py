"""The 台账 as a spreadsheet that opens like a ledger (issue 12 item 7).

Dates and times are date cells with a Chinese format (sortable, filterable), amounts are
numbers, text is a string cell — Excel never evaluates a string cell, so the CSV's apostrophe
guard is not needed here and would only show. Bold frozen header row, autofilter over the
whole table, column widths from the header and the first batch of rows, the jurisdiction and
export date in the print header. Written by openpyxl's write-only workbook (rows go to a
temporary file as they are appended): memory stays at one batch whatever the row count.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import AsyncIterator
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.rules.calendar import today_in_shanghai
from app.services.hazards.export import HEADERS, batches
from app.services.hazards.queries import HazardFilters
from app.services.policy import Actor

CHUNK = 64 * 1024
SHEET = "隐患台账"
DATE_FORMAT = 'yyyy"年"m"月"d"日"'
TIME_FORMAT = 'yyyy"年"m"月"d"日" hh:mm'
AMOUNT_FORMAT = "#,##0.00"
MIN_WIDTH, MAX_WIDTH = 6, 60
_BOLD = Font(bold=True)
_HEADER_ALIGN = Alignment(horizontal="center", vertical="center")


def _display_width(value: Any) -> int:
    """Roughly how many character widths a cell shows: CJK characters count double."""
    if isinstance(value, datetime):
        return 18
    if isinstance(value, date):
        return 12
    text = "" if value is None else str(value)
    longest = max(len(s) + sum(1 for ch in s if ord(ch) > 0x2E80) for s in text.split("\n"))
    return longest


def column_widths(rows: list[list[Any]]) -> list[float]:
    widths = [_display_width(h) for h in HEADERS]
    for row in rows:
        for i, value in enumerate(row):
            widths[i] = max(widths[i], _display_width(value))
    return [float(min(MAX_WIDTH, max(MIN_WIDTH, w + 2))) for w in widths]


def _cell(ws: Any, value: Any) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, datetime):
        cell.number_format = TIME_FORMAT
    elif isinstance(value, date):
        cell.number_format = DATE_FORMAT
    elif isinstance(value, float):
        cell.number_format = AMOUNT_FORMAT
    elif isinstance(value, str):
        cell.data_type = "s"  # a string, even when it starts with "=": never a formula
    return cell


def _start(ws: Any, first: list[list[Any]], title: str) -> None:
    """What write-only mode needs before the first row: widths, frozen pane, header row."""
    for i, width in enumerate(column_widths(first), start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    ws.oddHeader.center.text = title
    header = []
    for name in HEADERS:
        cell = WriteOnlyCell(ws, value=name)
        cell.font, cell.alignment = _BOLD, _HEADER_ALIGN
        header.append(cell)
    ws.append(header)


def _append(ws: Any, rows: list[list[Any]]) -> None:
    for row in rows:
        ws.append([_cell(ws, v) for v in row])


async def stream_xlsx(
    sessionmaker: async_sessionmaker[AsyncSession],
    actor: Actor,
    filters: HazardFilters,
    *,
    jurisdiction: str,
) -> AsyncIterator[bytes]:
    title = f"{jurisdiction}隐患台账（导出日期 {today_in_shanghai().isoformat()}）"
    wb = Workbook(write_only=True)
    wb.properties.title = title
    ws = wb.create_sheet(SHEET)
    fd, path = tempfile.mkstemp(suffix=".xlsx", prefix="zhiben-export-")
    os.close(fd)
    try:
        count = await _write_rows(sessionmaker, actor, filters, ws, title)
        ws.auto_filter.ref = f"A1:{get_column_letter(len(HEADERS))}{count + 1}"
        await asyncio.to_thread(wb.save, path)
        with open(path, "rb") as f:  # noqa: ASYNC230 — small reads of a local temp file
            while chunk := await asyncio.to_thread(f.read, CHUNK):
                yield chunk
    finally:
        os.unlink(path)


async def _write_rows(
    sessionmaker: async_sessionmaker[AsyncSession],
    actor: Actor,
    filters: HazardFilters,
    ws: Any,
    title: str,
) -> int:
    count = 0
    async with sessionmaker() as session:
        async for batch in batches(session, actor, filters):
            if count == 0:
                _start(ws, batch, title)
            # openpyxl is synchronous CPU work: keep it off the event loop.
            await asyncio.to_thread(_append, ws, batch)
            count += len(batch)
    if count == 0:
        _start(ws, [], title)
    return count
