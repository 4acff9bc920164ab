"""POST + X-HTTP-Method-Override: PATCH for WeChat clients (issue 12 item 5)."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI

from tests.api.hazard_helpers import new_hazard
from tests.conftest import World, assert_problem

OVERRIDE = {"X-HTTP-Method-Override": "PATCH"}


async def test_post_with_override_updates_like_patch(
    client: httpx.AsyncClient, world: World
) -> None:
    grid = world.grids["G1"]
    resp = await client.post(
        f"/api/v1/grids/{grid}",
        json={"name": "友谊一网格"},
        headers={**world.headers("office"), **OVERRIDE},
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["name"] == "友谊一网格"
    got = await client.get(f"/api/v1/grids/{grid}", headers=world.headers("office"))
    assert got.json()["name"] == "友谊一网格"


async def test_override_keeps_scope_and_if_match(client: httpx.AsyncClient, world: World) -> None:
    own = f"/api/v1/enterprises/{world.enterprises['E1']}"
    headers = {**world.headers("head1"), **OVERRIDE}
    ok = await client.post(own, json={"address": "友谊路1号"}, headers=headers)
    assert ok.status_code == 200, ok.text
    assert ok.json()["address"] == "友谊路1号"
    assert ok.headers["ETag"] == f'"{ok.json()["version"]}"'
    stale = await client.post(
        own, json={"address": "友谊路2号"}, headers={**headers, "If-Match": '"1"'}
    )
    assert_problem(stale, 412)
    foreign = f"/api/v1/enterprises/{world.enterprises['E2']}"
    assert_problem(await client.post(foreign, json={"address": "x"}, headers=headers), 404)


async def test_override_only_where_a_patch_exists(client: httpx.AsyncClient, world: World) -> None:
    hazard = await new_hazard(client, world, "head1")
    resp = await client.post(
        f"/api/v1/hazards/{hazard['id']}",
        json={"description": "改"},
        headers={**world.headers("head1"), **OVERRIDE},
    )
    assert_problem(resp, 405)


async def test_only_the_patch_override_is_accepted(client: httpx.AsyncClient, world: World) -> None:
    grid = world.grids["G1"]
    for value in ("DELETE", "PUT", "GET", "patchy"):
        resp = await client.post(
            f"/api/v1/grids/{grid}",
            json={"name": "n"},
            headers={**world.headers("office"), "X-HTTP-Method-Override": value},
        )
        assert_problem(resp, 400, "method_override_not_allowed")
    en = await client.post(
        f"/api/v1/grids/{grid}",
        json={"name": "n"},
        headers={
            **world.headers("office"),
            "X-HTTP-Method-Override": "DELETE",
            "Accept-Language": "en",
        },
    )
    assert assert_problem(en, 400)["detail"] == "X-HTTP-Method-Override may only be PATCH"


async def test_without_override_post_stays_405(client: httpx.AsyncClient, world: World) -> None:
    grid = world.grids["G1"]
    resp = await client.post(
        f"/api/v1/grids/{grid}", json={"name": "n"}, headers=world.headers("office")
    )
    assert_problem(resp, 405)


def test_every_patch_declares_the_override(app_instance: FastAPI) -> None:
    spec: dict[str, Any] = app_instance.openapi()
    patches = [item["patch"] for item in spec["paths"].values() if "patch" in item]
    assert len(patches) >= 5
    for op in patches:
        assert op["x-method-override"] == {
            "method": "POST",
            "header": "X-HTTP-Method-Override",
            "value": "PATCH",
        }
        assert "X-HTTP-Method-Override: PATCH" in op["description"]
