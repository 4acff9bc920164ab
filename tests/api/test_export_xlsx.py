"""The 台账 xlsx opens like a ledger (issue 12 item 7), checked by opening it with openpyxl."""

from __future__ import annotations

import io
from datetime import date, datetime

import httpx
from openpyxl import load_workbook

from tests.api.hazard_helpers import API, PLAN_GENERAL, act, new_hazard, tomorrow
from tests.conftest import World

EXPORT = f"{API}/export"


async def _sheet(client: httpx.AsyncClient, world: World, who: str = "office") -> object:
    resp = await client.get(EXPORT, params={"format": "xlsx"}, headers=world.headers(who))
    assert resp.status_code == 200, resp.text
    return load_workbook(io.BytesIO(resp.content)).active


async def test_cells_are_typed_and_text_is_never_a_formula(
    client: httpx.AsyncClient, world: World
) -> None:
    h = await new_hazard(client, world, "head1", description='=HYPERLINK("http://x","点我")')
    plan = {**PLAN_GENERAL, "deadline": tomorrow(), "funds": 1234.5}
    assert (await act(client, world, "head1", h["id"], "plan", plan)).status_code == 200
    ws = await _sheet(client, world)
    header = [c.value for c in ws[1]]
    row = dict(zip(header, ws[2], strict=True))
    deadline = row["整改期限"]
    assert deadline.is_date
    assert deadline.value == datetime.combine(date.fromisoformat(tomorrow()), datetime.min.time())
    assert deadline.number_format == 'yyyy"年"m"月"d"日"'
    found = row["发现时间"]
    assert found.is_date
    assert isinstance(found.value, datetime)
    assert found.number_format == 'yyyy"年"m"月"d"日" hh:mm'
    assert row["整改资金"].value == 1234.5
    assert row["整改资金"].data_type == "n"
    description = row["隐患描述"]
    assert description.data_type == "s"
    assert description.value == '=HYPERLINK("http://x","点我")'
    for cells in ws.iter_rows():
        for cell in cells:
            assert not (isinstance(cell.value, str) and cell.value.startswith("'")), cell


async def test_header_frozen_bold_filtered_and_sized(
    client: httpx.AsyncClient, world: World
) -> None:
    await new_hazard(client, world, "head1", description="消防通道被货物堵塞" * 3)
    await new_hazard(client, world, "head2", "E2")
    ws = await _sheet(client, world)
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:U3"
    assert all(c.font.b for c in ws[1])
    assert not ws["A2"].font.b
    widths = {k: d.width for k, d in ws.column_dimensions.items()}
    assert widths["D"] == 56  # the 27-character description, CJK counted double, + 2
    assert widths["A"] >= len("YYL-2026-000001")
    assert len(set(widths.values())) > 3
    assert "友谊路街道隐患台账" in ws.oddHeader.center.text


async def test_empty_ledger_still_has_its_header(client: httpx.AsyncClient, world: World) -> None:
    ws = await _sheet(client, world, "head1")
    assert ws.max_row == 1
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:U1"
