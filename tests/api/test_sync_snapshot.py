"""Feed rows carry the hazard as of each change (issue 12 item 8): status, level, deadline,
supervision then, plus ledger number, category and grid — a dashboard builds its list from
the feed alone."""

from __future__ import annotations

from typing import Any

import httpx

from tests.api import test_sync
from tests.api.hazard_helpers import PLAN_MAJOR, act, major, tomorrow
from tests.conftest import World


async def settled(client: httpx.AsyncClient, world: World, who: str, expect: int) -> dict[str, Any]:
    """test_sync.settled with a longer patience: on a PostgreSQL cluster shared with other
    busy test runs, the feed's horizon (the oldest running transaction) can lag seconds."""
    for _ in range(6):
        body = await test_sync.settled(client, world, who, expect)
        if len(body["items"]) >= expect:
            return body
    return body


async def _feed(
    client: httpx.AsyncClient, world: World, who: str, expect: int
) -> list[dict[str, Any]]:
    # The world's two enterprises come first; on PostgreSQL wait until the rows are visible.
    body = await settled(client, world, who, 2 + expect)
    return [i for i in body["items"] if i["object_type"] == "hazard"]


async def test_each_row_shows_the_status_at_that_change(
    client: httpx.AsyncClient, world: World
) -> None:
    h = await major(client, world)
    plan = {**PLAN_MAJOR, "deadline": tomorrow()}
    assert (await act(client, world, "head1", h["id"], "plan", plan)).status_code == 200
    body = {"unit": "宝山区安委办", "due": tomorrow()}
    assert (await act(client, world, "office", h["id"], "supervise", body)).status_code == 200
    rows = await _feed(client, world, "dashboard", 3)
    assert [(r["status"], r["deadline"], r["supervised"]) for r in rows] == [
        ("reported", None, False),
        ("rectifying", tomorrow(), False),
        ("rectifying", tomorrow(), True),
    ]
    for r in rows:
        assert r["ledger_no"] == h["ledger_no"]
        assert (r["level"], r["category"]) == ("major", "electrical")
        assert r["grid_id"] == str(world.grids["G1"])
        assert r["op"] == "upsert"


async def test_voided_row_and_enterprise_rows(client: httpx.AsyncClient, world: World) -> None:
    h = await major(client, world)
    assert (
        await act(client, world, "office", h["id"], "void", {"reason": "误报"})
    ).status_code == 200
    rows = await _feed(client, world, "office", 2)
    assert [(r["op"], r["status"]) for r in rows] == [("upsert", "reported"), ("voided", "voided")]
    await client.patch(
        f"/api/v1/enterprises/{world.enterprises['E1']}",
        json={"address": "友谊路1号"},
        headers=world.headers("office"),
    )
    body = await settled(client, world, "office", 5)
    ent = [i for i in body["items"] if i["object_type"] == "enterprise"][-1]
    assert (ent["status"], ent["level"], ent["ledger_no"]) == (None, None, None)


async def test_include_object_syncs_a_page_in_one_request(
    client: httpx.AsyncClient, world: World
) -> None:
    h = await major(client, world)
    await settled(client, world, "grid1", 2)
    resp = await client.get(
        "/api/v1/sync/changes", params={"include": "object"}, headers=world.headers("grid1")
    )
    assert resp.status_code == 200, resp.text
    items = resp.json()["items"]
    ent = next(i for i in items if i["object_type"] == "enterprise")
    assert ent["object"]["name"] == "测试企业E1"
    hazard = next(i for i in items if i["object_type"] == "hazard")
    assert hazard["object"]["id"] == h["id"]
    assert hazard["object"]["description"] == h["description"]
    plain = await client.get("/api/v1/sync/changes", headers=world.headers("grid1"))
    assert all(i["object"] is None for i in plain.json()["items"])


async def test_include_object_for_the_dashboard_is_the_overview(
    client: httpx.AsyncClient, world: World
) -> None:
    h = await major(client, world)
    body = await settled(client, world, "dashboard", 3)
    assert len(body["items"]) >= 3
    resp = await client.get(
        "/api/v1/sync/changes", params={"include": "object"}, headers=world.headers("dashboard")
    )
    items = resp.json()["items"]
    hazard = next(i for i in items if i["object_type"] == "hazard")
    assert hazard["object"]["ledger_no"] == h["ledger_no"]
    assert "description" not in hazard["object"]
    assert "enterprise_name" in hazard["object"]
    # Enterprise records (names and phones of people) stay closed to the dashboard.
    assert all(i["object"] is None for i in items if i["object_type"] == "enterprise")


async def test_include_rejects_other_values(client: httpx.AsyncClient, world: World) -> None:
    resp = await client.get(
        "/api/v1/sync/changes", params={"include": "everything"}, headers=world.headers("office")
    )
    assert resp.status_code == 422
