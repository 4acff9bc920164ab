"""`Idempotency-Key` on /auth/refresh (issue 12 item 4, brief §4): the same key and body give
the same pair, scoped by the verified login family; nothing is handed out after logout."""

from __future__ import annotations

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.audit import IdempotencyRecord
from tests.api.test_auth import ME, login, past_grace
from tests.conftest import TEST_PASSWORD, World, assert_problem

REFRESH = "/api/v1/auth/refresh"
LOGOUT = "/api/v1/auth/logout"


async def _refresh(client: httpx.AsyncClient, token: str, key: str | None) -> httpx.Response:
    headers = {"Idempotency-Key": key} if key else {}
    return await client.post(REFRESH, json={"refresh_token": token}, headers=headers)


def _bearer(pair: dict[str, str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {pair['access_token']}"}


async def test_replay_answers_the_same_pair_even_past_the_grace_window(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    first = (await login(client, "u_grid1", TEST_PASSWORD)).json()
    answer = await _refresh(client, first["refresh_token"], "refresh-1")
    assert answer.status_code == 200, answer.text
    await past_grace(db, seconds=120)  # without the key this would revoke the login
    again = await _refresh(client, first["refresh_token"], "refresh-1")
    assert again.status_code == 200, again.text
    assert again.json() == answer.json()  # the very same access and refresh token
    assert (await client.get(ME, headers=_bearer(again.json()))).status_code == 200
    nxt = await _refresh(client, again.json()["refresh_token"], None)
    assert nxt.status_code == 200  # the family lives on and rotates as usual
    # The record holds no token: only what is needed to sign the same answer again.
    [record] = list(await db.scalars(select(IdempotencyRecord)))
    assert record.key == "refresh-1"
    assert record.actor.startswith("auth_session:")
    assert first["refresh_token"] not in record.response_body
    assert answer.json()["access_token"] not in record.response_body
    assert answer.json()["refresh_token"] not in record.response_body


async def test_same_key_with_another_token_is_refused(
    client: httpx.AsyncClient, world: World
) -> None:
    first = (await login(client, "u_grid1", TEST_PASSWORD)).json()
    second = (await _refresh(client, first["refresh_token"], "k")).json()
    other = await _refresh(client, second["refresh_token"], "k")
    assert_problem(other, 422, "idempotency_key_reused")


async def test_no_replay_after_logout(client: httpx.AsyncClient, world: World) -> None:
    first = (await login(client, "u_grid1", TEST_PASSWORD)).json()
    answer = (await _refresh(client, first["refresh_token"], "k-logout")).json()
    out = await client.post(LOGOUT, json={"refresh_token": answer["refresh_token"]})
    assert out.status_code == 204
    replay = await _refresh(client, first["refresh_token"], "k-logout")
    assert_problem(replay, 401, "invalid_refresh_token")
    assert "access_token" not in replay.text


async def test_keys_are_scoped_by_login_family(client: httpx.AsyncClient, world: World) -> None:
    grid = (await login(client, "u_grid1", TEST_PASSWORD)).json()
    office = (await login(client, "u_office", TEST_PASSWORD)).json()
    a = await _refresh(client, grid["refresh_token"], "shared-key")
    b = await _refresh(client, office["refresh_token"], "shared-key")
    assert a.status_code == b.status_code == 200
    assert a.json()["refresh_token"] != b.json()["refresh_token"]
    me_b = await client.get(ME, headers=_bearer(b.json()))
    assert me_b.json()["username"] == "u_office"
    # A second login of the same user is another family: its own record, its own pair.
    grid2 = (await login(client, "u_grid1", TEST_PASSWORD)).json()
    c = await _refresh(client, grid2["refresh_token"], "shared-key")
    assert c.status_code == 200
    assert c.json()["refresh_token"] != a.json()["refresh_token"]


async def test_bad_key_is_a_422(client: httpx.AsyncClient, world: World) -> None:
    first = (await login(client, "u_grid1", TEST_PASSWORD)).json()
    assert_problem(await _refresh(client, first["refresh_token"], "x" * 201), 422)
    assert (await _refresh(client, first["refresh_token"], None)).status_code == 200
