"""Feed rows carry the hazard as of each change (issue 12 item 8): status, level, deadline,
supervision then, plus ledger number, category and grid — a dashboard builds its list from
the feed alone."""

from __future__ import annotations

from typing import Any

import httpx

from tests.api.hazard_helpers import PLAN_MAJOR, act, major, tomorrow
from tests.api.test_sync import settled
from tests.conftest import World


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
