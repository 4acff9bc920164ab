"""The 隐患台账 export, column by column: the 21 headers written out here (not imported from
the exporter), and every cell of one hazard whose values the test chose."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook

from app.rules.calendar import SHANGHAI
from tests.api.hazard_helpers import API, PLAN_MAJOR, act, tomorrow
from tests.conftest import World

LEDGER_HEADERS = [
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


def _minute(iso: str) -> str:
    """An API timestamp as the ledger shows it: Shanghai time to the minute."""
    return datetime.fromisoformat(iso).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


async def _closed_supervised_major(client: httpx.AsyncClient, world: World) -> dict[str, Any]:
    body = {
        "enterprise_id": str(world.enterprises["E1"]),
        "description": "有限空间作业未执行审批",
        "category": "confined_space",
        "location": "二号车间污水井",
        "source": "enforcement",
        "item_codes": ["3.1"],
    }
    created = await client.post(API, json=body, headers=world.headers("office"))
    assert created.status_code == 201, created.text
    hid = created.json()["id"]
    steps = [
        ("head1", "plan", {**PLAN_MAJOR, "deadline": tomorrow()}),
        ("office", "supervise", {"unit": "区应急管理局", "due": tomorrow()}),
        ("head1", "submit", {"evidence": "已整改"}),
        ("office", "verify", {"passed": True, "note": "合格"}),
    ]
    for who, action, data in steps:
        resp = await act(client, world, who, hid, action, data)
        assert resp.status_code == 200, resp.text
    hazard: dict[str, Any] = resp.json()
    return hazard


def _expected_row(h: dict[str, Any]) -> list[Any]:
    return [
        h["ledger_no"],
        "测试企业E1",
        "网格G1",
        "有限空间作业未执行审批",
        "二号车间污水井",
        "有限空间",
        "重大事故隐患",
        "判定标准2023版 第3.1项",
        "执法检查",
        _minute(h["found_at"]),
        "测试office",
        "张三",
        tomorrow(),
        "更换柜门",
        12000.5,
        "已销号",
        "测试office",
        _minute(h["verified_at"]),
        _minute(h["closed_at"]),
        "否",
        "是",
    ]


async def test_xlsx_headers_and_every_cell(client: httpx.AsyncClient, world: World) -> None:
    h = await _closed_supervised_major(client, world)
    resp = await client.get(
        f"{API}/export", params={"format": "xlsx"}, headers=world.headers("office")
    )
    assert resp.status_code == 200, resp.text
    rows = list(load_workbook(io.BytesIO(resp.content), read_only=True).active.values)
    assert list(rows[0]) == LEDGER_HEADERS
    assert len(rows) == 2
    got = list(rows[1])
    # xlsx cells are typed (issue 12): times are date-time cells, the deadline a date cell.
    for i in (9, 17, 18):
        assert isinstance(got[i], datetime), (i, got[i])
        got[i] = got[i].strftime("%Y-%m-%d %H:%M")
    assert isinstance(got[12], datetime), got[12]
    got[12] = got[12].date().isoformat()
    assert got == _expected_row(h)


@pytest.mark.parametrize("who", ["office", "head1"])
async def test_csv_headers_and_every_cell(
    client: httpx.AsyncClient, world: World, who: str
) -> None:
    h = await _closed_supervised_major(client, world)
    resp = await client.get(f"{API}/export", params={"format": "csv"}, headers=world.headers(who))
    assert resp.status_code == 200, resp.text
    rows = list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"))))
    assert rows[0] == LEDGER_HEADERS
    assert rows[1:] == [[str(c) for c in _expected_row(h)]]
