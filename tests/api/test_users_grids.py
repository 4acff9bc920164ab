"""Users and grids: street office manages them; scope and bad input (brief §7, issue 2)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from tests.conftest import World, assert_problem

USERS = "/api/v1/users"
GRIDS = "/api/v1/grids"


async def test_office_creates_each_role(client: httpx.AsyncClient, world: World) -> None:
    bodies: list[dict[str, Any]] = [
        {"username": "new_office", "password": "long-enough-pw", "role": "street_office"},
        {
            "username": "new_head",
            "password": "long-enough-pw",
            "role": "enterprise_head",
            "enterprise_id": str(world.enterprises["E2"]),
            "display_name": "李四",
        },
        {
            "username": "new_grid",
            "password": "long-enough-pw",
            "role": "grid_staff",
            "grid_ids": [str(world.grids["G1"]), str(world.grids["G2"])],
        },
        {"username": "new_dash", "password": "long-enough-pw", "role": "dashboard"},
    ]
    for body in bodies:
        resp = await client.post(USERS, json=body, headers=world.headers("office"))
        assert resp.status_code == 201, resp.text
        out = resp.json()
        assert set(out) == {
            "id",
            "username",
            "role",
            "display_name",
            "enterprise_id",
            "grid_ids",
            "is_active",
        }
        assert out["role"] == body["role"]
    grid_user = (
        await client.get(
            USERS, params={"role": "grid_staff", "limit": 100}, headers=world.headers("office")
        )
    ).json()["items"]
    new_grid = next(u for u in grid_user if u["username"] == "new_grid")
    assert sorted(new_grid["grid_ids"]) == sorted(str(g) for g in world.grids.values())
    login = await client.post(
        "/api/v1/auth/token", data={"username": "new_head", "password": "long-enough-pw"}
    )
    assert login.status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"username": "h", "password": "long-enough-pw", "role": "enterprise_head"}, "username"),
        ({"username": "hx1", "password": "long-enough-pw", "role": "enterprise_head"}, "body"),
        ({"username": "gx1", "password": "long-enough-pw", "role": "grid_staff"}, "body"),
        ({"username": "px1", "password": "short", "role": "dashboard"}, "password"),
        ({"username": "rx1", "password": "long-enough-pw", "role": "king"}, "role"),
        (
            {"username": "ex1", "password": "long-enough-pw", "role": "dashboard", "is_admin": 1},
            "is_admin",
        ),
    ],
)
async def test_user_bad_input(
    client: httpx.AsyncClient, world: World, body: dict[str, Any], field: str
) -> None:
    resp = await client.post(USERS, json=body, headers=world.headers("office"))
    errors = assert_problem(resp, 422)["errors"]
    assert any(field in e["loc"] for e in errors), errors  # type: ignore[union-attr]


async def test_user_unknown_refs_and_duplicates(client: httpx.AsyncClient, world: World) -> None:
    base = {"password": "long-enough-pw", "role": "grid_staff"}
    resp = await client.post(
        USERS,
        json=dict(base, username="g_x", grid_ids=[str(uuid.uuid4())]),
        headers=world.headers("office"),
    )
    assert_problem(resp, 422, "unknown_grid")
    resp = await client.post(
        USERS,
        json={"username": "u_office", "password": "long-enough-pw", "role": "dashboard"},
        headers=world.headers("office"),
    )
    assert_problem(resp, 409, "duplicate_username")


@pytest.mark.parametrize("who", ["head1", "grid1", "dashboard"])
async def test_only_office_manages_users(client: httpx.AsyncClient, world: World, who: str) -> None:
    h = world.headers(who)
    assert_problem(await client.get(USERS, headers=h), 403)
    assert_problem(await client.get(f"{USERS}/{world.users['office']}", headers=h), 403)
    assert_problem(
        await client.patch(f"{USERS}/{world.users[who]}", json={"display_name": "x"}, headers=h),
        403,
    )
    assert_problem(
        await client.post(
            USERS,
            json={"username": "zz_top", "password": "long-enough-pw", "role": "dashboard"},
            headers=h,
        ),
        403,
    )


async def test_user_update_and_no_secrets(client: httpx.AsyncClient, world: World) -> None:
    url = f"{USERS}/{world.users['head1']}"
    resp = await client.patch(
        url,
        json={"display_name": "王五", "password": "a-new-password"},
        headers=world.headers("office"),
    )
    assert resp.status_code == 200
    assert resp.json()["display_name"] == "王五"
    assert "password" not in resp.text
    assert "hash" not in resp.text
    resp = await client.patch(
        url, json={"grid_ids": [str(world.grids["G1"])]}, headers=world.headers("office")
    )
    assert_problem(resp, 422, "grid_ids_not_allowed")
    assert_problem(
        await client.get(f"{USERS}/{uuid.uuid4()}", headers=world.headers("office")), 404
    )
    audit = (
        await client.get(
            "/api/v1/audit",
            params={"object_id": str(world.users["head1"])},
            headers=world.headers("office"),
        )
    ).json()["items"]
    assert audit[0]["changes"]["password"] == {"before": "***", "after": "***"}
    # head1's sessions ended with the password change (issue 10 finding 8); head2 stands in.
    assert_problem(await client.get("/api/v1/audit", headers=world.headers("head2")), 403)


@pytest.mark.parametrize(
    ("who", "visible"),
    [
        ("office", {"G1", "G2"}),
        ("dashboard", {"G1", "G2"}),
        ("grid1", {"G1"}),
        ("grid2", {"G2"}),
        ("head1", {"G1"}),
        ("head2", {"G2"}),
    ],
)
async def test_grid_scope(
    client: httpx.AsyncClient, world: World, who: str, visible: set[str]
) -> None:
    items = (await client.get(GRIDS, headers=world.headers(who))).json()["items"]
    assert {i["id"] for i in items} == {str(world.grids[g]) for g in visible}
    for name, gid in world.grids.items():
        resp = await client.get(f"{GRIDS}/{gid}", headers=world.headers(who))
        assert resp.status_code == (200 if name in visible else 404)


async def test_grid_manage(client: httpx.AsyncClient, world: World) -> None:
    gid = str(uuid.uuid4())
    created = await client.post(
        GRIDS, json={"id": gid, "name": "第三网格"}, headers=world.headers("office")
    )
    assert created.status_code == 201
    assert created.json() == {"id": gid, "name": "第三网格"}
    again = await client.post(
        GRIDS, json={"id": gid, "name": "第三网格"}, headers=world.headers("office")
    )
    assert again.status_code == 200
    assert_problem(
        await client.post(GRIDS, json={"name": "第三网格"}, headers=world.headers("office")),
        409,
        "duplicate_name",
    )
    assert_problem(
        await client.post(GRIDS, json={"name": ""}, headers=world.headers("office")), 422
    )
    for who in ("head1", "grid1", "dashboard"):
        assert_problem(
            await client.post(GRIDS, json={"name": "x网格"}, headers=world.headers(who)), 403
        )
        assert_problem(
            await client.patch(
                f"{GRIDS}/{world.grids['G1']}", json={"name": "y"}, headers=world.headers(who)
            ),
            403,
        )
    renamed = await client.patch(
        f"{GRIDS}/{gid}", json={"name": "第四网格"}, headers=world.headers("office")
    )
    assert renamed.json()["name"] == "第四网格"


async def test_limit_bounds(client: httpx.AsyncClient, world: World) -> None:
    for bad in ("0", "101", "abc"):
        assert_problem(
            await client.get(GRIDS, params={"limit": bad}, headers=world.headers("office")), 422
        )
    assert_problem(
        await client.get(GRIDS, params={"cursor": "@@@"}, headers=world.headers("office")),
        422,
        "invalid_cursor",
    )


async def test_meta_enums(client: httpx.AsyncClient) -> None:
    enums = (await client.get("/api/v1/meta/enums")).json()
    assert enums["sector"]["tobacco"] == "烟草"
    assert enums["role"]["grid_staff"] == "网格员"
