"""Overdue from the day AFTER the deadline (brief §3), in every place that derives it.

The rule lives in Python (the hazard read) and in SQL (the list filter, the statistics, the
compliance facts behind the ranking, the export): each copy is asked about the same five
hazards of E1, one of them due today, and must agree that only the one due yesterday is late.
"""

from __future__ import annotations

import io
from datetime import timedelta

import httpx
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession

from app.rules.calendar import today_in_shanghai
from tests.api.hazard_helpers import API
from tests.api.records_helpers import add_hazard
from tests.conftest import World


async def _ledger(db: AsyncSession, world: World) -> dict[str, str]:
    today = today_in_shanghai()
    yesterday = today - timedelta(days=1)
    ids = {
        "due_today_rectifying": await add_hazard(db, world, "E1", deadline=today),
        "due_today_reported": await add_hazard(db, world, "E1", status="reported", deadline=today),
        "late_rectifying": await add_hazard(db, world, "E1", deadline=yesterday),
        "late_pending": await add_hazard(
            db, world, "E1", status="pending_verification", deadline=yesterday
        ),
        "no_deadline": await add_hazard(db, world, "E1", status="reported"),
    }
    await db.commit()
    return {k: str(v) for k, v in ids.items()}


async def test_hazard_read_and_list_filter(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    ids = await _ledger(db, world)
    office = world.headers("office")
    days = {}
    for name, hid in ids.items():
        got = (await client.get(f"{API}/{hid}", headers=office)).json()
        days[name] = (got["overdue"], got["days_overdue"])
    assert days == {
        "due_today_rectifying": (False, 0),
        "due_today_reported": (False, 0),
        "late_rectifying": (True, 1),
        "late_pending": (False, 0),
        "no_deadline": (False, 0),
    }
    late = await client.get(API, params={"overdue": True}, headers=office)
    assert {i["id"] for i in late.json()["items"]} == {ids["late_rectifying"]}
    in_time = await client.get(API, params={"overdue": False}, headers=office)
    assert {i["id"] for i in in_time.json()["items"]} == set(ids.values()) - {
        ids["late_rectifying"]
    }


async def test_statistics_and_ranking(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    await _ledger(db, world)
    dash = world.headers("dashboard")
    overview = (await client.get("/api/v1/stats/overview", headers=dash)).json()
    assert overview["overdue"] == 1
    assert {g["grid_name"]: g["overdue"] for g in overview["by_grid"]} == {"网格G1": 1, "网格G2": 0}
    params = {"group_by": "grid", "from": "2025-01-01", "to": today_in_shanghai().isoformat()}
    series = (await client.get("/api/v1/stats/hazards", params=params, headers=dash)).json()
    assert [(i["label"], i["overdue"]) for i in series["items"]] == [("网格G1", 1)]
    ranking = (await client.get("/api/v1/stats/ranking", headers=dash)).json()
    e1 = next(i for i in ranking["items"] if i["enterprise_id"] == str(world.enterprises["E1"]))
    assert e1["overdue_hazards"] == 1
    assert "major_overdue" in e1["unmet_codes"]


async def test_export_overdue_column(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    ids = await _ledger(db, world)
    office = world.headers("office")
    ledger_no = {
        hid: (await client.get(f"{API}/{hid}", headers=office)).json()["ledger_no"]
        for hid in ids.values()
    }
    resp = await client.get(f"{API}/export", params={"format": "xlsx"}, headers=office)
    rows = list(load_workbook(io.BytesIO(resp.content), read_only=True).active.values)
    column = rows[0].index("是否逾期")
    flags = {row[0]: row[column] for row in rows[1:]}
    assert flags == {
        ledger_no[hid]: "是" if hid == ids["late_rectifying"] else "否" for hid in ids.values()
    }
