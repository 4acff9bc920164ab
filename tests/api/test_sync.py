"""Change feed (`GET /api/v1/sync/changes`): order, cursor, scope, voids and removals."""

from __future__ import annotations

import asyncio
import os
from typing import Any

import httpx
import pytest

from tests.api.hazard_helpers import act, new_hazard
from tests.conftest import World, assert_problem

FEED = "/api/v1/sync/changes"


async def feed(
    client: httpx.AsyncClient, world: World, who: str, since: str | None = None, **kw: Any
) -> dict[str, Any]:
    params = {"since": since, **kw} if since else kw
    resp = await client.get(FEED, params=params, headers=world.headers(who))
    assert resp.status_code == 200, resp.text
    body: dict[str, Any] = resp.json()
    return body


async def settled(
    client: httpx.AsyncClient, world: World, who: str, expect: int, since: str | None = None
) -> dict[str, Any]:
    """On PostgreSQL the feed only shows transactions older than every running one in the
    cluster (other test runs share it), so wait until the expected entries are visible."""
    for _ in range(50):
        body = await feed(client, world, who, since)
        if len(body["items"]) >= expect or os.environ.get("ZHIBEN_TEST_DB") != "postgres":
            return body
        await asyncio.sleep(0.1)
    return body


async def test_feed_scoped_and_paged(client: httpx.AsyncClient, world: World) -> None:
    # The world's two enterprises are the first changes; grid1 sees only E1's.
    base = await settled(client, world, "office", 2)
    assert [i["object_id"] for i in base["items"]] == [
        str(world.enterprises["E1"]),
        str(world.enterprises["E2"]),
    ]
    h1 = await new_hazard(client, world, "grid1")
    h2 = await new_hazard(client, world, "head2", "E2")
    body = await settled(client, world, "grid1", 2)
    assert [(i["object_type"], i["object_id"], i["op"]) for i in body["items"]] == [
        ("enterprise", str(world.enterprises["E1"]), "upsert"),
        ("hazard", h1["id"], "upsert"),
    ]
    assert body["has_more"] is False
    office = await settled(client, world, "office", 2, base["next_cursor"])
    assert [i["object_id"] for i in office["items"]] == [h1["id"], h2["id"]]
    first = await feed(client, world, "office", base["next_cursor"], limit=1)
    assert first["has_more"] is True
    rest = await feed(client, world, "office", first["next_cursor"])
    assert [i["object_id"] for i in rest["items"]] == [h2["id"]]
    # Nothing new: the cursor stays where it was, never null.
    empty = await feed(client, world, "office", rest["next_cursor"])
    assert (empty["items"], empty["next_cursor"]) == ([], rest["next_cursor"])
    dash = await settled(client, world, "dashboard", 2)
    assert set(dash["items"][0]) == {
        "position",
        "object_type",
        "object_id",
        "enterprise_id",
        "op",
        "status",
        "changed_at",
        # Issue 12: the hazard as of the change, still no personal field.
        "grid_id",
        "ledger_no",
        "category",
        "level",
        "deadline",
        "supervised",
        "object",  # null unless include=object
    }


async def test_void_and_removal(client: httpx.AsyncClient, world: World) -> None:
    h = await new_hazard(client, world, "grid1")
    start = (await settled(client, world, "grid1", 2))["next_cursor"]
    r = await act(client, world, "office", h["id"], "void", {"reason": "误报"})
    assert r.status_code == 200
    body = await settled(client, world, "grid1", 1, start)
    assert [(i["object_id"], i["op"]) for i in body["items"]] == [(h["id"], "voided")]
    # The enterprise moves to G2: grid1 is told to drop it.
    cursor = body["next_cursor"]
    resp = await client.patch(
        f"/api/v1/enterprises/{world.enterprises['E1']}",
        json={"grid_id": str(world.grids["G2"])},
        headers=world.headers("office"),
    )
    assert resp.status_code == 200, resp.text
    body = await settled(client, world, "grid1", 1, cursor)
    assert [(i["object_type"], i["op"]) for i in body["items"]] == [("enterprise", "removed")]
    grid2 = await settled(client, world, "grid2", 4)
    assert ("enterprise", "upsert") in [(i["object_type"], i["op"]) for i in grid2["items"]]


async def test_grid_reassignment_is_a_removal_for_that_account_only(
    client: httpx.AsyncClient, world: World
) -> None:
    h = await new_hazard(client, world, "grid1")
    cursor = (await settled(client, world, "grid1", 2))["next_cursor"]
    office_cursor = (await settled(client, world, "office", 2))["next_cursor"]
    resp = await client.patch(
        f"/api/v1/users/{world.users['grid1']}",
        json={"grid_ids": [str(world.grids["G2"])]},
        headers=world.headers("office"),
    )
    assert resp.status_code == 200
    body = await settled(client, world, "grid1", 1, cursor)
    assert [(i["object_type"], i["object_id"], i["op"]) for i in body["items"]] == [
        ("enterprise", str(world.enterprises["E1"]), "removed")
    ]
    # Nobody else hears of it: the row is addressed to that account alone.
    assert (await feed(client, world, "office", office_cursor))["items"] == []
    assert (
        await client.get(f"/api/v1/hazards/{h['id']}", headers=world.headers("grid1"))
    ).status_code == 404


async def test_bad_cursor_and_refusals(client: httpx.AsyncClient, world: World) -> None:
    assert_problem(
        await client.get(FEED, params={"since": "xx"}, headers=world.headers("office")), 422
    )
    assert_problem(
        await client.get(FEED, params={"limit": 0}, headers=world.headers("office")), 422
    )
    assert (await client.get(FEED)).status_code == 401


@pytest.mark.skipif(os.environ.get("ZHIBEN_TEST_DB") != "postgres", reason="PostgreSQL only")
async def test_late_commit_not_skipped(
    client: httpx.AsyncClient, world: World, app_instance: Any
) -> None:
    """A transaction that took its change position first but commits last is still delivered."""
    from app.models.enterprise import Enterprise

    async with app_instance.state.sessionmaker() as slow:
        ent = await slow.get(Enterprise, world.enterprises["E1"])
        assert ent is not None
        ent.address = "慢事务"
        await slow.flush()  # change row written, transaction still open
        fast = await new_hazard(client, world, "office")
        body = await feed(client, world, "office")
        # The fast hazard is committed but its transaction is younger than the open one.
        assert fast["id"] not in [i["object_id"] for i in body["items"]]
        cursor = body["next_cursor"]
        await slow.commit()
    body = await settled(client, world, "office", 2, cursor)
    got = [i["object_id"] for i in body["items"]]
    assert str(world.enterprises["E1"]) in got
    assert fast["id"] in got
