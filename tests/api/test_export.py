"""Ledger export (隐患台账): headers, exactly the filtered and scoped rows, CSV with BOM."""

from __future__ import annotations

import csv
import io

import httpx
from openpyxl import load_workbook

from tests.api.hazard_helpers import API, major, new_hazard
from tests.api.test_export_ledger import LEDGER_HEADERS as HEADERS
from tests.conftest import World, assert_problem

EXPORT = f"{API}/export"


async def test_xlsx_has_headers_and_filtered_rows(client: httpx.AsyncClient, world: World) -> None:
    g = await new_hazard(client, world, "grid1", description='=HYPERLINK("x")')
    m = await major(client, world)
    await new_hazard(client, world, "head2", "E2")
    resp = await client.get(EXPORT, params={"format": "xlsx"}, headers=world.headers("grid1"))
    assert resp.status_code == 200, resp.text
    assert "attachment" in resp.headers["content-disposition"]
    ws = load_workbook(io.BytesIO(resp.content), read_only=True).active
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    assert HEADERS[:3] == ["编号", "企业", "网格"]
    # grid1 sees E1 only: exactly its two hazards, newest first.
    assert [r[0] for r in rows[1:]] == [m["ledger_no"], g["ledger_no"]]
    assert rows[1][6] == "重大事故隐患"
    assert rows[1][1] == "测试企业E1"
    assert rows[2][3] == '=HYPERLINK("x")'  # a string cell: shown, never evaluated
    filtered = await client.get(
        EXPORT, params={"level": "general"}, headers=world.headers("office")
    )
    ws = load_workbook(io.BytesIO(filtered.content), read_only=True).active
    assert len(list(ws.iter_rows(values_only=True))) == 3  # header + two general hazards


async def test_csv_has_bom_and_rows(client: httpx.AsyncClient, world: World) -> None:
    h = await new_hazard(client, world, "head1")
    await new_hazard(client, world, "head2", "E2")
    resp = await client.get(EXPORT, params={"format": "csv"}, headers=world.headers("head1"))
    assert resp.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"))))
    assert rows[0] == HEADERS
    assert [r[0] for r in rows[1:]] == [h["ledger_no"]]
    assert rows[1][15] == "已登记"


async def test_export_refusals(client: httpx.AsyncClient, world: World) -> None:
    assert_problem(await client.get(EXPORT, headers=world.headers("dashboard")), 403)
    assert_problem(
        await client.get(EXPORT, params={"format": "pdf"}, headers=world.headers("office")), 422
    )
    assert (await client.get(EXPORT)).status_code == 401


async def test_csv_keeps_the_formula_guard(client: httpx.AsyncClient, world: World) -> None:
    await new_hazard(client, world, "head1", description="=1+1")
    resp = await client.get(EXPORT, params={"format": "csv"}, headers=world.headers("head1"))
    rows = list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"))))
    assert rows[1][3] == "'=1+1"
