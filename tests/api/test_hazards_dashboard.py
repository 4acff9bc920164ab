"""The dashboard reads the ledger through the same routes, without personal fields
(issue 12 item 8): enough for the overdue list, nothing that names or reaches a person."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.hazard import Hazard
from app.rules.calendar import today_in_shanghai
from tests.api.hazard_helpers import API, PLAN_GENERAL, act, major, new_hazard, tomorrow
from tests.conftest import World, assert_problem

OVERVIEW_FIELDS = {
    "id",
    "ledger_no",
    "enterprise_id",
    "enterprise_name",
    "grid_id",
    "source",
    "category",
    "level",
    "status",
    "deadline",
    "overdue",
    "days_overdue",
    "supervised",
    "supervise_due",
    "found_at",
    "closed_at",
    "version",
}


async def _overdue(client: httpx.AsyncClient, world: World, db: AsyncSession) -> dict[str, str]:
    h = await new_hazard(client, world, "head2", "E2", description="张三家门口配电箱")
    plan = {**PLAN_GENERAL, "deadline": tomorrow()}
    assert (await act(client, world, "head2", h["id"], "plan", plan)).status_code == 200
    past = today_in_shanghai() - timedelta(days=3)
    await db.execute(update(Hazard).where(Hazard.id == uuid.UUID(h["id"])).values(deadline=past))
    await db.commit()
    return h


async def test_dashboard_lists_the_whole_ledger_without_personal_fields(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    late = await _overdue(client, world, db)
    await major(client, world, "E1")
    resp = await client.get(API, params={"overdue": "true"}, headers=world.headers("dashboard"))
    assert resp.status_code == 200, resp.text
    items = resp.json()["items"]
    assert [i["ledger_no"] for i in items] == [late["ledger_no"]]
    row = items[0]
    assert set(row) == OVERVIEW_FIELDS
    assert row["enterprise_name"] == "测试企业E2"
    assert row["grid_id"] == str(world.grids["G2"])
    assert (row["status"], row["overdue"], row["days_overdue"]) == ("rectifying", True, 3)
    every = await client.get(API, headers=world.headers("dashboard"))
    assert len(every.json()["items"]) == 2
    assert "张三" not in every.text


async def test_dashboard_filters_like_everyone(client: httpx.AsyncClient, world: World) -> None:
    m = await major(client, world, "E1")
    await new_hazard(client, world, "head2", "E2")
    for params in ({"level": "major"}, {"grid_id": str(world.grids["G1"])}):
        resp = await client.get(API, params=params, headers=world.headers("dashboard"))
        assert [i["id"] for i in resp.json()["items"]] == [m["id"]], params


async def test_dashboard_reads_one_hazard_as_overview_with_etag(
    client: httpx.AsyncClient, world: World
) -> None:
    h = await new_hazard(client, world, "head1")
    resp = await client.get(f"{API}/{h['id']}", headers=world.headers("dashboard"))
    assert resp.status_code == 200, resp.text
    assert set(resp.json()) == OVERVIEW_FIELDS
    assert resp.headers["ETag"] == '"1"'
    full = await client.get(f"{API}/{h['id']}", headers=world.headers("head1"))
    assert "responsible_person" in full.json()
    assert_problem(
        await client.get(f"{API}/{uuid.uuid4()}", headers=world.headers("dashboard")), 404
    )


async def test_dashboard_still_may_not_act_export_or_read_history(
    client: httpx.AsyncClient, world: World
) -> None:
    h = await new_hazard(client, world, "head1")
    dash = world.headers("dashboard")
    assert_problem(await client.get(f"{API}/{h['id']}/history", headers=dash), 403)
    assert_problem(await client.get(f"{API}/export", headers=dash), 403)
    plan = {**PLAN_GENERAL, "deadline": tomorrow()}
    assert_problem(await act(client, world, "dashboard", h["id"], "plan", plan), 403)
    body = {"enterprise_id": str(world.enterprises["E1"]), "description": "x", "category": "fire"}
    assert_problem(await client.post(API, json=body, headers=dash), 403)
