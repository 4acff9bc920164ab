"""A refresh whose answer was lost can be retried (issue 12 item 4): within the grace window
the just-rotated token answers the same new refresh token instead of revoking the login."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.api.test_auth import ME, login, past_grace
from tests.conftest import TEST_PASSWORD, World, assert_problem

REFRESH = "/api/v1/auth/refresh"


async def _refresh(client: httpx.AsyncClient, token: str, **headers: str) -> httpx.Response:
    return await client.post(REFRESH, json={"refresh_token": token}, headers=headers)


def _bearer(pair: dict[str, str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {pair['access_token']}"}


async def test_retry_within_grace_answers_the_same_refresh_token(
    client: httpx.AsyncClient, world: World
) -> None:
    first = (await login(client, "u_grid1", TEST_PASSWORD)).json()
    lost = await _refresh(client, first["refresh_token"], **{"Idempotency-Key": "r-1"})
    retry = await _refresh(client, first["refresh_token"], **{"Idempotency-Key": "r-1"})
    assert lost.status_code == retry.status_code == 200
    assert retry.json()["refresh_token"] == lost.json()["refresh_token"]
    assert retry.json()["refresh_token"] != first["refresh_token"]
    # Both access tokens work: the login was not revoked.
    assert (await client.get(ME, headers=_bearer(retry.json()))).status_code == 200
    assert (await client.get(ME, headers=_bearer(lost.json()))).status_code == 200
    # The new refresh token rotates once as usual.
    nxt = await _refresh(client, retry.json()["refresh_token"])
    assert nxt.status_code == 200
    assert nxt.json()["refresh_token"] not in {first["refresh_token"], lost.json()["refresh_token"]}


async def test_reuse_after_the_successor_was_used_still_revokes(
    client: httpx.AsyncClient, world: World
) -> None:
    first = (await login(client, "u_grid1", TEST_PASSWORD)).json()
    second = (await _refresh(client, first["refresh_token"])).json()
    third = await _refresh(client, second["refresh_token"])
    assert third.status_code == 200
    reuse = await _refresh(client, first["refresh_token"])
    assert_problem(reuse, 401, "refresh_token_reused")
    assert (await client.get(ME, headers=_bearer(third.json()))).status_code == 401


async def test_reuse_after_the_grace_window_revokes(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    first = (await login(client, "u_grid1", TEST_PASSWORD)).json()
    second = (await _refresh(client, first["refresh_token"])).json()
    await past_grace(db, seconds=31)
    assert_problem(await _refresh(client, first["refresh_token"]), 401, "refresh_token_reused")
    assert_problem(await _refresh(client, second["refresh_token"]), 401)


async def test_grace_can_be_switched_off(
    client: httpx.AsyncClient, world: World, app_instance: object
) -> None:
    settings = app_instance.state.settings  # type: ignore[attr-defined]
    old = settings.refresh_grace_seconds
    settings.refresh_grace_seconds = 0
    try:
        first = (await login(client, "u_grid1", TEST_PASSWORD)).json()
        await _refresh(client, first["refresh_token"])
        reuse = await _refresh(client, first["refresh_token"])
        assert_problem(reuse, 401, "refresh_token_reused")
    finally:
        settings.refresh_grace_seconds = old
