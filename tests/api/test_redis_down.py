"""Redis is never a source of truth (quality-notes §6 R2, §7(e)): with its store unreachable,
staff logins are still limited — in-process — while anonymous endpoints fail closed (503)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from app.core.config import Settings
from app.main import create_app
from tests.api.public_helpers import GOOD_DESCRIPTION
from tests.conftest import TEST_PASSWORD, World, assert_problem


@pytest.fixture
async def redis_down_client(settings: Settings, world: World) -> AsyncIterator[httpx.AsyncClient]:
    del world  # the accounts live in the shared test database
    dead = settings.model_copy(update={"redis_url": "redis://127.0.0.1:1/0"})
    app = create_app(dead)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        yield client
    await app.state.engine.dispose()


async def test_staff_login_fails_open_but_stays_limited(
    redis_down_client: httpx.AsyncClient,
) -> None:
    async def login(password: str) -> httpx.Response:
        return await redis_down_client.post(
            "/api/v1/auth/token", data={"username": "u_office", "password": password}
        )

    assert (await login(TEST_PASSWORD)).status_code == 200
    for _ in range(5):
        assert (await login("wrong-password")).status_code == 401
    assert_problem(await login(TEST_PASSWORD), 429)


async def test_anonymous_report_fails_closed(redis_down_client: httpx.AsyncClient) -> None:
    resp = await redis_down_client.post(
        "/api/v1/public/reports", json={"description": GOOD_DESCRIPTION}
    )
    assert_problem(resp, 503, "rate_limiter_unavailable")
