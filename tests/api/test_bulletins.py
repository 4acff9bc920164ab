"""晾晒通报 bulletins (plan §四(一)): the xlsx and the PDF carry the figures the statistics
endpoints give for the same period; stored, listed and downloadable by the street office."""

from __future__ import annotations

import io
import re
import uuid
from datetime import date
from typing import Any

import httpx
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy.ext.asyncio import AsyncSession

from tests.api.records_helpers import add_hazard
from tests.conftest import World, assert_problem


async def _arrange(db: AsyncSession, world: World) -> None:
    nov = "2025-11-{:02d}T10:00:00+08:00"
    await add_hazard(db, world, "E1", deadline=date(2025, 11, 20), found_at=nov.format(3))
    await add_hazard(
        db, world, "E1", level="general", deadline=date(2026, 1, 20), found_at=nov.format(4)
    )
    await add_hazard(
        db,
        world,
        "E2",
        level="general",
        status="closed",
        deadline=date(2025, 12, 1),
        found_at=nov.format(5),
        closed_at=nov.format(9),
    )
    await add_hazard(db, world, "E2", found_at="2025-10-31T10:00:00+08:00")  # outside the month


async def _stats(
    client: httpx.AsyncClient, world: World
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    h = world.headers("dashboard")
    grid = await client.get(
        "/api/v1/stats/hazards",
        params={"group_by": "grid", "from": "2025-11-01", "to": "2025-11-30"},
        headers=h,
    )
    targets = await client.get("/api/v1/stats/targets", params={"year": 2025}, headers=h)
    assert grid.status_code == targets.status_code == 200
    return grid.json()["items"], {t["code"]: t for t in targets.json()["targets"]}


async def test_bulletin_files_carry_the_statistics(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    await _arrange(db, world)
    office = world.headers("office")
    resp = await client.post("/api/v1/bulletins", json={"month": "2025-11"}, headers=office)
    assert resp.status_code == 201, resp.text
    bulletin = resp.json()
    assert (bulletin["label"], bulletin["period_start"], bulletin["period_end"]) == (
        "2025年11月",
        "2025-11-01",
        "2025-11-30",
    )
    grids, targets = await _stats(client, world)
    assert {g["label"]: g["found"] for g in grids} == {"网格G1": 2, "网格G2": 1}

    url = f"/api/v1/bulletins/{bulletin['id']}/file"
    xlsx = await client.get(url, params={"format": "xlsx"}, headers=office)
    assert xlsx.status_code == 200
    assert xlsx.headers["content-type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(xlsx.content))
    assert {"总览", "网格", "企业", "目标", "重点任务"} <= set(wb.sheetnames)
    sheet = {row[0]: row[1:6] for row in wb["网格"].iter_rows(min_row=2, values_only=True)}
    for g in grids:
        assert sheet[g["label"]] == (g["found"], g["major"], g["open"], g["closed"], g["overdue"])
    overview = dict(wb["总览"].iter_rows(min_row=2, max_col=2, values_only=True))
    assert overview["新发现隐患"] == 3
    assert overview["已销号"] == 1
    in_sheet = {row[0]: row[2] for row in wb["目标"].iter_rows(min_row=2, values_only=True)}
    for t in targets.values():
        assert in_sheet[t["title"]] == t["actual"], t["code"]

    pdf = await client.get(url, params={"format": "pdf"}, headers=office)
    assert (pdf.status_code, pdf.headers["content-type"]) == (200, "application/pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    flat = re.sub(r"\s+", "", text)
    assert "友谊路街道工贸行业安全生产治本攻坚晾晒通报（2025年11月）" in flat
    assert "新发现隐患3项，其中重大事故隐患1项；已销号1项" in flat
    for g in grids:  # each grid row: name then its figures, in the table's order
        row = f"{g['label']}{g['found']}{g['major']}{g['open']}{g['closed']}{g['overdue']}"
        assert row in flat, row
    for t in targets.values():
        assert f"{t['title']}{t['target_value']}{t['unit']}{t['actual']}{t['unit']}" in flat


async def test_bulletin_roles_listing_and_dashboard_summary(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    await _arrange(db, world)
    office = world.headers("office")
    first = (
        await client.post("/api/v1/bulletins", json={"month": "2025-11"}, headers=office)
    ).json()
    again = await client.post(
        "/api/v1/bulletins", json={"start": "2025-11-01", "end": "2025-11-30"}, headers=office
    )
    assert again.json()["id"] == first["id"]  # the same period is made again, not twice
    listing = (await client.get("/api/v1/bulletins", headers=office)).json()
    assert [b["id"] for b in listing["items"]] == [first["id"]]
    summary = (
        await client.get("/api/v1/stats/bulletins", headers=world.headers("dashboard"))
    ).json()
    s = summary["items"][0]["summary"]
    assert s["totals"]["found"] == 3
    assert "by_enterprise" not in s
    for who in ("head1", "grid1", "dashboard"):
        h = world.headers(who)
        assert_problem(
            await client.post("/api/v1/bulletins", json={"month": "2025-11"}, headers=h), 403
        )
        assert_problem(await client.get(f"/api/v1/bulletins/{first['id']}/file", headers=h), 403)
    for who in ("head1", "grid1"):
        assert_problem(await client.get("/api/v1/stats/bulletins", headers=world.headers(who)), 403)
    for bad in (
        {},
        {"month": "2025-13"},
        {"month": "2025-11", "start": "2025-11-01", "end": "2025-11-02"},
        {"start": "2025-11-02", "end": "2025-11-01"},
        {"start": "2025-11-01"},
    ):
        assert_problem(await client.post("/api/v1/bulletins", json=bad, headers=office), 422)
    url = f"/api/v1/bulletins/{first['id']}/file"
    assert_problem(await client.get(url, params={"format": "doc"}, headers=office), 422)
    assert_problem(await client.get(f"/api/v1/bulletins/{uuid.uuid4()}/file", headers=office), 404)
