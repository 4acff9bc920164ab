"""Issue 11: authentication got cheaper, not laxer. With the request path warm (the same
token used just before), logout, deactivation and a password change end access on the very
next request — there is no cache, by time or otherwise, between the token and the database."""

from __future__ import annotations

import httpx

from tests.conftest import TEST_PASSWORD, World, assert_problem

API = "/api/v1"
ME = f"{API}/auth/me"


async def _login(client: httpx.AsyncClient, username: str) -> dict[str, str]:
    resp = await client.post(
        f"{API}/auth/token", data={"username": username, "password": TEST_PASSWORD}
    )
    assert resp.status_code == 200, resp.text
    return dict(resp.json())


async def _warm(client: httpx.AsyncClient, auth: dict[str, str], world: World) -> None:
    for _ in range(3):
        assert (await client.get(ME, headers=auth)).status_code == 200
    hazards = await client.get(f"{API}/hazards?limit=5", headers=auth)
    assert hazards.status_code == 200, hazards.text


async def test_logout_ends_a_warm_token_at_once(client: httpx.AsyncClient, world: World) -> None:
    pair = await _login(client, "u_head1")
    auth = {"Authorization": f"Bearer {pair['access_token']}"}
    await _warm(client, auth, world)
    out = await client.post(f"{API}/auth/logout", json={"refresh_token": pair["refresh_token"]})
    assert out.status_code == 204
    assert_problem(await client.get(ME, headers=auth), 401, "invalid_token")
    assert_problem(await client.get(f"{API}/hazards?limit=5", headers=auth), 401)


async def test_deactivation_ends_a_warm_token_at_once(
    client: httpx.AsyncClient, world: World
) -> None:
    auth = world.headers("grid1")
    await _warm(client, auth, world)
    resp = await client.patch(
        f"{API}/users/{world.users['grid1']}",
        json={"is_active": False},
        headers=world.headers("office"),
    )
    assert resp.status_code == 200, resp.text
    assert_problem(await client.get(ME, headers=auth), 401, "invalid_token")
    assert_problem(await client.get(f"{API}/hazards?limit=5", headers=auth), 401)


async def test_password_change_ends_a_warm_token_at_once(
    client: httpx.AsyncClient, world: World
) -> None:
    auth = world.headers("head2")
    await _warm(client, auth, world)
    resp = await client.patch(
        f"{API}/users/{world.users['head2']}",
        json={"password": "a-brand-new-password-2026"},
        headers=world.headers("office"),
    )
    assert resp.status_code == 200, resp.text
    assert_problem(await client.get(ME, headers=auth), 401, "invalid_token")


async def test_grid_change_applies_to_a_warm_token_at_once(
    client: httpx.AsyncClient, world: World
) -> None:
    auth = world.headers("grid1")
    await _warm(client, auth, world)
    assert (await client.get(ME, headers=auth)).json()["grid_ids"] == [str(world.grids["G1"])]
    resp = await client.patch(
        f"{API}/users/{world.users['grid1']}",
        json={"grid_ids": [str(world.grids["G2"])]},
        headers=world.headers("office"),
    )
    assert resp.status_code == 200, resp.text
    assert (await client.get(ME, headers=auth)).json()["grid_ids"] == [str(world.grids["G2"])]
