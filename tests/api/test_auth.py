"""Login, tokens, refresh rotation, logout, deactivation, brute-force limit (brief §4)."""

from __future__ import annotations

import base64
import json
import time
import uuid
from datetime import UTC, datetime, timedelta

import httpx
from jose import jwt
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.user import RefreshToken
from tests.conftest import TEST_PASSWORD, TEST_SECRET, World, assert_problem

ME = "/api/v1/auth/me"


async def login(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    return await client.post(
        "/api/v1/auth/token", data={"username": username, "password": password}
    )


async def past_grace(db: AsyncSession, seconds: int = 60) -> None:
    """Rotated tokens as if rotated `seconds` ago: past the retry grace window (30 s)."""
    then = datetime.now(UTC) - timedelta(seconds=seconds)
    await db.execute(
        update(RefreshToken).where(RefreshToken.used_at.is_not(None)).values(used_at=then)
    )
    await db.commit()


async def test_login_returns_tokens_and_me(client: httpx.AsyncClient, world: World) -> None:
    resp = await login(client, "u_grid1", TEST_PASSWORD)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] > 0
    assert body["refresh_token"]
    assert body["access_token"]
    me = await client.get(ME, headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    data = me.json()
    assert data["role"] == "grid_staff"
    assert data["grid_ids"] == [str(world.grids["G1"])]
    assert data["enterprise_id"] is None
    assert "password" not in json.dumps(data)


async def test_wrong_password_and_unknown_user_look_the_same(
    client: httpx.AsyncClient, world: World
) -> None:
    wrong = assert_problem(await login(client, "u_office", "nope-nope-nope"), 401)
    unknown = assert_problem(await login(client, "no_such_user", "nope-nope-nope"), 401)
    for key in ("code", "title", "detail"):
        assert wrong[key] == unknown[key]


def _forge(claims: dict[str, object], key: str = TEST_SECRET, alg: str = "HS256") -> str:
    return jwt.encode(claims, key, algorithm=alg)


def _claims(world: World, **over: object) -> dict[str, object]:
    good = jwt.get_unverified_claims(world.tokens["office"])
    good.update(over)
    return good


async def test_bad_tokens_are_refused(client: httpx.AsyncClient, world: World) -> None:
    now = int(time.time())
    header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').rstrip(b"=").decode()
    payload = base64.urlsafe_b64encode(json.dumps(_claims(world)).encode()).rstrip(b"=").decode()
    tokens = {
        "expired": _forge(_claims(world, exp=now - 10, iat=now - 100)),
        "wrong key": _forge(_claims(world), key="another-secret-another-secret-xx"),
        "alg none": f"{header}.{payload}.",
        "HS512": _forge(_claims(world), alg="HS512"),
        "refresh as access": _forge(_claims(world, type="refresh")),
        "wrong audience": _forge(_claims(world, aud="someone-else")),
        "future nbf": _forge(_claims(world, nbf=now + 3600)),
        "unknown session": _forge(_claims(world, sid=str(uuid.uuid4()))),
        "tampered": world.tokens["office"][:-4] + "AAAA",
        "garbage": "not-a-jwt",
    }
    for name, token in tokens.items():
        resp = await client.get(ME, headers={"Authorization": f"Bearer {token}"})
        assert resp.status_code == 401, name
        assert resp.headers["content-type"].startswith("application/problem+json"), name
    assert (await client.get(ME, headers=world.headers("office"))).status_code == 200


async def test_refresh_rotates_and_reuse_revokes_family(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    first = (await login(client, "u_head1", TEST_PASSWORD)).json()
    other_login = (await login(client, "u_head1", TEST_PASSWORD)).json()
    second = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}
    )
    assert second.status_code == 200
    new = second.json()
    assert new["refresh_token"] != first["refresh_token"]
    await past_grace(db)
    # The rotated-out token is refused, and its reuse ends that login's family.
    reuse = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}
    )
    assert_problem(reuse, 401, "refresh_token_reused")
    again = await client.post("/api/v1/auth/refresh", json={"refresh_token": new["refresh_token"]})
    assert_problem(again, 401)
    resp = await client.get(ME, headers={"Authorization": f"Bearer {new['access_token']}"})
    assert resp.status_code == 401
    # Another login of the same user is a different family and still works.
    ok = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": other_login["refresh_token"]}
    )
    assert ok.status_code == 200


async def test_logout_revokes_refresh_and_access(client: httpx.AsyncClient, world: World) -> None:
    pair = (await login(client, "u_office", TEST_PASSWORD)).json()
    auth = {"Authorization": f"Bearer {pair['access_token']}"}
    assert (await client.get(ME, headers=auth)).status_code == 200
    out = await client.post("/api/v1/auth/logout", json={"refresh_token": pair["refresh_token"]})
    assert out.status_code == 204
    assert (await client.get(ME, headers=auth)).status_code == 401
    resp = await client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert_problem(resp, 401)
    assert_problem(await client.post("/api/v1/auth/refresh", json={"refresh_token": "x" * 43}), 401)


async def test_deactivated_user_is_locked_out_at_once(
    client: httpx.AsyncClient, world: World
) -> None:
    pair = (await login(client, "u_grid2", TEST_PASSWORD)).json()
    resp = await client.patch(
        f"/api/v1/users/{world.users['grid2']}",
        json={"is_active": False},
        headers=world.headers("office"),
    )
    assert resp.status_code == 200
    assert resp.json()["is_active"] is False
    assert (await client.get(ME, headers=world.headers("grid2"))).status_code == 401
    resp = await client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert_problem(resp, 401)
    assert_problem(await login(client, "u_grid2", TEST_PASSWORD), 401)


async def test_failed_logins_are_limited_per_username(
    client: httpx.AsyncClient, world: World
) -> None:
    for _ in range(5):
        assert (await login(client, "u_head2", "wrong-password")).status_code == 401
    limited = await login(client, "u_head2", TEST_PASSWORD)
    assert_problem(limited, 429, "rate_limited")
    assert int(limited.headers["retry-after"]) >= 1
    # Unknown usernames are counted the same way, so the limit does not reveal existence.
    for _ in range(5):
        assert (await login(client, "ghost_user", "wrong-password")).status_code == 401
    assert_problem(await login(client, "ghost_user", "wrong-password"), 429)
    # Other accounts are untouched; successful logins are never limited.
    for _ in range(8):
        assert (await login(client, "u_head1", TEST_PASSWORD)).status_code == 200


async def test_login_needs_form_fields(client: httpx.AsyncClient) -> None:
    body = assert_problem(await client.post("/api/v1/auth/token", data={"username": "x"}), 422)
    assert any("password" in e["loc"] for e in body["errors"])  # type: ignore[union-attr]
