"""Login limits (issue 10 findings 6, 7) and a password change ending sessions (finding 8).

The hard limit is per (username, client address), counted before the password is checked;
per username across addresses a growing delay, never a lock-out of the owner.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from app.core.config import Settings
from app.core.ratelimit import MemoryRateLimiter, RateLimiter, RedisRateLimiter
from tests.conftest import TEST_PASSWORD, World, assert_problem
from tests.core.test_ratelimit import _redis_or_skip

TOKEN = "/api/v1/auth/token"
ME = "/api/v1/auth/me"
REFRESH = "/api/v1/auth/refresh"
NEW_PASSWORD = "a-brand-new-password-2026"


def _client_from(app: FastAPI, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://test")


async def _login(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    return await client.post(TOKEN, data={"username": username, "password": password})


async def test_attacker_cannot_lock_the_owner_out(app_instance: FastAPI, world: World) -> None:
    async with _client_from(app_instance, "203.0.113.7") as attacker:
        for _ in range(5):
            assert (await _login(attacker, "u_office", "wrong-password")).status_code == 401
        assert_problem(await _login(attacker, "u_office", TEST_PASSWORD), 429, "rate_limited")
    async with _client_from(app_instance, "198.51.100.20") as owner:
        assert (await _login(owner, "u_office", TEST_PASSWORD)).status_code == 200


async def test_many_addresses_meet_a_growing_delay_not_a_lockout(
    app_instance: FastAPI, world: World, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "login_user_soft_failures", 2)
    monkeypatch.setattr(settings, "login_delay_max_s", 0.4)
    for n in range(2):
        async with _client_from(app_instance, f"203.0.113.{n + 1}") as bot:
            started = time.monotonic()
            assert (await _login(bot, "u_head1", "wrong-password")).status_code == 401
    async with _client_from(app_instance, "198.51.100.20") as owner:
        started = time.monotonic()
        assert (await _login(owner, "u_head1", TEST_PASSWORD)).status_code == 200
        assert time.monotonic() - started >= 0.4
        # Other usernames are not delayed by it.
        started = time.monotonic()
        assert (await _login(owner, "u_head2", TEST_PASSWORD)).status_code == 200
        assert time.monotonic() - started < 0.4


async def test_office_password_change_ends_that_users_sessions(
    client: httpx.AsyncClient, world: World
) -> None:
    pair = (await _login(client, "u_head1", TEST_PASSWORD)).json()
    access = {"Authorization": f"Bearer {pair['access_token']}"}
    assert (await client.get(ME, headers=access)).status_code == 200
    resp = await client.patch(
        f"/api/v1/users/{world.users['head1']}",
        json={"password": NEW_PASSWORD},
        headers=world.headers("office"),
    )
    assert resp.status_code == 200, resp.text
    assert_problem(await client.get(ME, headers=access), 401, "invalid_token")
    assert_problem(await client.get(ME, headers=world.headers("head1")), 401, "invalid_token")
    refused = await client.post(REFRESH, json={"refresh_token": pair["refresh_token"]})
    assert_problem(refused, 401, "invalid_refresh_token")
    assert_problem(await _login(client, "u_head1", TEST_PASSWORD), 401)
    assert (await _login(client, "u_head1", NEW_PASSWORD)).status_code == 200
    # Other users keep their sessions.
    assert (await client.get(ME, headers=world.headers("head2"))).status_code == 200


async def test_own_password_change_keeps_only_the_current_session(
    client: httpx.AsyncClient, world: World
) -> None:
    here = (await _login(client, "u_office", TEST_PASSWORD)).json()
    there = (await _login(client, "u_office", TEST_PASSWORD)).json()
    here_h = {"Authorization": f"Bearer {here['access_token']}"}
    resp = await client.patch(
        f"/api/v1/users/{world.users['office']}", json={"password": NEW_PASSWORD}, headers=here_h
    )
    assert resp.status_code == 200, resp.text
    assert (await client.get(ME, headers=here_h)).status_code == 200
    there_h = {"Authorization": f"Bearer {there['access_token']}"}
    assert_problem(await client.get(ME, headers=there_h), 401, "invalid_token")
    refused = await client.post(REFRESH, json={"refresh_token": there["refresh_token"]})
    assert_problem(refused, 401, "invalid_refresh_token")
    kept = await client.post(REFRESH, json={"refresh_token": here["refresh_token"]})
    assert kept.status_code == 200, kept.text


# --- real concurrency: PostgreSQL, each limiter backend ------------------------------------


@pytest.fixture(params=["memory", "redis"])
async def shared_limiter(
    request: pytest.FixtureRequest, app_instance: FastAPI
) -> AsyncIterator[RateLimiter]:
    if request.param == "memory":
        limiter: RateLimiter = MemoryRateLimiter()
    else:
        prefix = f"zhiben:rl:test:{uuid.uuid4().hex}:"
        limiter = RedisRateLimiter(await _redis_or_skip(), prefix=prefix)
    app_instance.state.limiter = limiter
    yield limiter
    await limiter.aclose()


pg_only = pytest.mark.skipif(
    os.environ.get("ZHIBEN_TEST_DB") != "postgres", reason="real concurrency: PostgreSQL only"
)


@pg_only
async def test_parallel_wrong_passwords_at_most_five_evaluated(
    client: httpx.AsyncClient, world: World, shared_limiter: RateLimiter
) -> None:
    assert shared_limiter is not None
    answers = await asyncio.gather(*[_login(client, "u_office", f"wrong-{n}") for n in range(20)])
    codes = [a.status_code for a in answers]
    assert codes.count(401) <= 5, codes
    assert codes.count(401) + codes.count(429) == 20, codes


@pg_only
async def test_parallel_guesses_with_the_right_one_last(
    client: httpx.AsyncClient, world: World, shared_limiter: RateLimiter
) -> None:
    assert shared_limiter is not None
    guesses = [f"wrong-{n}" for n in range(11)] + [TEST_PASSWORD]
    answers = await asyncio.gather(*[_login(client, "u_grid1", g) for g in guesses])
    codes = [a.status_code for a in answers]
    evaluated = codes.count(401) + codes.count(200)
    assert evaluated <= 5, codes
    assert codes.count(429) == 12 - evaluated, codes
