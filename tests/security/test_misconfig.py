"""Security misconfiguration (quality-notes §1, API8): production hides the docs, and no
origin is granted cross-origin access."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from app.core.config import Settings
from app.main import create_app
from tests.conftest import TEST_SECRET


@pytest.fixture
async def prod_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    prod = settings.model_copy(update={"env": "production", "secret_key": TEST_SECRET})
    app = create_app(prod)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client
    await app.state.engine.dispose()


@pytest.mark.parametrize("path", ["/docs", "/openapi.json", "/redoc", "/docs/oauth2-redirect"])
async def test_production_hides_the_api_description(
    prod_client: httpx.AsyncClient, path: str
) -> None:
    resp = await prod_client.get(path)
    assert resp.status_code == 404
    assert resp.headers["content-type"].startswith("application/problem+json")


async def test_production_still_serves_health(prod_client: httpx.AsyncClient) -> None:
    assert (await prod_client.get("/healthz")).status_code == 200


async def test_no_cross_origin_grant_to_a_foreign_origin(client: httpx.AsyncClient) -> None:
    resp = await client.options(
        "/api/v1/enterprises",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
    )
    assert "access-control-allow-origin" not in resp.headers
    resp = await client.get("/healthz", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in resp.headers
